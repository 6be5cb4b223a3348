import AuxEngine

/// The training losses, with the names and conventions of `torch.nn.functional`.
///
/// Each function is one fused op of the engine (one node on the tape, with a hand-written
/// backward pass), documented in full on the `Tensor` method it calls. Deviations from PyTorch,
/// all chosen so that a batch without valid labels cannot put NaN into training:
///
/// - cross-entropy with `.mean` returns 0 (zero gradient) when every target is ignored;
/// - masked L1/MSE and ``maskedMean(_:mask:)`` return 0 when no element is valid;
/// - ``cosineSimilarity(_:_:axis:eps:)`` needs equal shapes (PyTorch broadcasts).
///
/// ```swift
/// let seg = Losses.crossEntropy(logits, labels, ignoreIndex: 255)       // [N, C, H, W] vs [N, H, W]
/// let depth = Losses.l1(predDepth, gtDepth, mask: validDepth)            // mean over valid pixels
/// let normal = Losses.cosineDistance(predNormal.normalized(axis: 1), gtNormal, mask: validNormal)
/// ```
public enum Losses {
  /// Softmax cross-entropy against class indices (`F.cross_entropy` with a `long` target); see
  /// ``AuxEngine/Tensor/crossEntropy(target:weight:ignoreIndex:reduction:)``.
  ///
  /// - Parameters:
  ///   - logits: `[N, C]`, `[N, C, d1, …]` or `[C]`.
  ///   - target: class indices as whole-number `Float`s, `[N]`, `[N, d1, …]` or `[]`.
  ///   - weight: optional class weights `[C]`; the mean divides by the summed weights of the
  ///     non-ignored targets.
  ///   - ignoreIndex: target value to skip (default −100 as PyTorch).
  public static func crossEntropy(
    _ logits: Tensor, _ target: Tensor, weight: Tensor? = nil, ignoreIndex: Int = -100,
    reduction: LossReduction = .mean
  ) -> Tensor {
    logits.crossEntropy(target: target, weight: weight, ignoreIndex: ignoreIndex, reduction: reduction)
  }

  /// Softmax cross-entropy against class probabilities of the logits' shape (`F.cross_entropy`
  /// with a floating-point target); the mean divides by the number of samples/pixels. See
  /// ``AuxEngine/Tensor/crossEntropy(softTarget:weight:reduction:)``.
  public static func crossEntropy(
    _ logits: Tensor, softTarget: Tensor, weight: Tensor? = nil, reduction: LossReduction = .mean
  ) -> Tensor {
    logits.crossEntropy(softTarget: softTarget, weight: weight, reduction: reduction)
  }

  /// Stable binary cross-entropy on logits (`F.binary_cross_entropy_with_logits`), with optional
  /// element weights and positive-class weights; see
  /// ``AuxEngine/Tensor/binaryCrossEntropyWithLogits(target:weight:posWeight:reduction:)``.
  public static func binaryCrossEntropyWithLogits(
    _ logits: Tensor, _ target: Tensor, weight: Tensor? = nil, posWeight: Tensor? = nil,
    reduction: LossReduction = .mean
  ) -> Tensor {
    logits.binaryCrossEntropyWithLogits(target: target, weight: weight, posWeight: posWeight, reduction: reduction)
  }

  /// Mean absolute error (`F.l1_loss`); with a mask, the mean over valid elements. See
  /// ``AuxEngine/Tensor/l1Loss(_:mask:reduction:)``.
  public static func l1(_ prediction: Tensor, _ target: Tensor, mask: Tensor? = nil, reduction: LossReduction = .mean) -> Tensor {
    prediction.l1Loss(target, mask: mask, reduction: reduction)
  }

  /// Mean squared error (`F.mse_loss`); with a mask, the mean over valid elements. See
  /// ``AuxEngine/Tensor/mseLoss(_:mask:reduction:)``.
  public static func mse(_ prediction: Tensor, _ target: Tensor, mask: Tensor? = nil, reduction: LossReduction = .mean) -> Tensor {
    prediction.mseLoss(target, mask: mask, reduction: reduction)
  }

  /// Cosine similarity along `axis` (`F.cosine_similarity`, PyTorch 2.x's eps rule); the axis is
  /// removed. See ``AuxEngine/Tensor/cosineSimilarity(_:axis:eps:)``.
  public static func cosineSimilarity(_ a: Tensor, _ b: Tensor, axis: Int = 1, eps: Float = 1e-8) -> Tensor {
    a.cosineSimilarity(b, axis: axis, eps: eps)
  }

  /// The mean of `1 − cos(prediction, target)` along `axis` over valid positions: the surface-normal
  /// loss of MTAN/LibMTL (`1 − Σ(p̂·g·m) / Σm` with unit-length vectors).
  ///
  /// The cosine uses PyTorch's eps rule, so for unit-length inputs this is exactly LibMTL's
  /// `1 − mean over valid pixels of p̂·g`. Normalise the prediction first when the network does
  /// not (`prediction.normalized(axis: 1)`).
  ///
  /// - Parameters:
  ///   - mask: optional validity weights with the cosine's shape (`axis` removed, e.g. `[N, H, W]`)
  ///     or with `axis` kept at size 1 (e.g. `[N, 1, H, W]`); 0 (zero gradient) when nothing is
  ///     valid. Without a mask, the plain mean.
  public static func cosineDistance(
    _ prediction: Tensor, _ target: Tensor, axis: Int = 1, mask: Tensor? = nil, eps: Float = 1e-8
  ) -> Tensor {
    let distance = 1 - prediction.cosineSimilarity(target, axis: axis, eps: eps)
    guard var m = mask else { return distance.mean() }
    let a = Shape.axis(axis, rank: prediction.rank, op: "Losses.cosineDistance")
    if m.rank == prediction.rank && m.shape[a] == 1 { m = m.squeezed(at: a) }
    precondition(
      m.shape == distance.shape,
      "Losses.cosineDistance: mask shape \(mask!.shape) must be \(distance.shape) (or keep axis \(axis) with size 1) for inputs of shape \(prediction.shape)")
    return distance.maskedMean(m)
  }

  /// `Σ m·x / Σ m` over the elements of a per-element loss, 0 when nothing is valid; see
  /// ``AuxEngine/Tensor/maskedMean(_:)``.
  public static func maskedMean(_ values: Tensor, mask: Tensor) -> Tensor {
    values.maskedMean(mask)
  }
}
