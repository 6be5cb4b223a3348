import AuxEngine

/// Batch normalisation over the channels of `[N, C, H, W]` inputs (PyTorch's `nn.BatchNorm2d`).
///
/// Parameters `weight` (ones) and `bias` (zeros) exist when `affine`; buffers `running_mean`
/// (zeros), `running_var` (ones) and `num_batches_tracked` (0, saved as an integer) exist when
/// `trackRunningStatistics`, under PyTorch's names.
///
/// In training mode the layer normalises with batch statistics, increments `num_batches_tracked`
/// and updates the running statistics with `momentum` (unbiased variance; a nil momentum means the
/// cumulative average `1 / num_batches_tracked`, as in PyTorch). In evaluation mode it normalises
/// with the running statistics, or with batch statistics when it tracks none.
public final class BatchNorm2d: Module, Layer {
  public let weight: Parameter?
  public let bias: Parameter?
  public let runningMean: Buffer?
  public let runningVariance: Buffer?
  public let batchesTracked: Buffer?
  public let numFeatures: Int
  public let eps: Float
  public let momentum: Float?

  public init(
    _ numFeatures: Int, eps: Float = 1e-5, momentum: Float? = 0.1, affine: Bool = true,
    trackRunningStatistics: Bool = true
  ) {
    precondition(numFeatures > 0, "BatchNorm2d: number of features must be positive, got \(numFeatures)")
    self.numFeatures = numFeatures
    self.eps = eps
    self.momentum = momentum
    weight = affine ? Parameter(Tensor.ones([numFeatures])) : nil
    bias = affine ? Parameter(Tensor.zeros([numFeatures])) : nil
    runningMean = trackRunningStatistics ? Buffer(Tensor.zeros([numFeatures])) : nil
    runningVariance = trackRunningStatistics ? Buffer(Tensor.ones([numFeatures])) : nil
    batchesTracked = trackRunningStatistics ? Buffer(Tensor(0), storedAsInteger: true) : nil
    super.init()
    if let weight { registerParameter("weight", weight) }
    if let bias { registerParameter("bias", bias) }
    if let runningMean, let runningVariance, let batchesTracked {
      registerBuffer("running_mean", runningMean)
      registerBuffer("running_var", runningVariance)
      registerBuffer("num_batches_tracked", batchesTracked)
    }
  }

  public func callAsFunction(_ x: Tensor) -> Tensor {
    precondition(
      x.rank == 4 && x.shape[1] == numFeatures,
      "BatchNorm2d(\(numFeatures)): input of shape \(x.shape) must be [N, \(numFeatures), H, W]")
    guard let runningMean, let runningVariance, let batchesTracked else {
      return x.batchNorm2d(weight: weight?.value, bias: bias?.value, eps: eps)
    }
    var factor = momentum ?? 0
    if isTraining {
      let count = batchesTracked.value.item + 1
      batchesTracked.value = Tensor(count)
      if momentum == nil { factor = 1 / count }
    }
    return x.batchNorm2d(
      weight: weight?.value, bias: bias?.value, runningMean: &runningMean.value,
      runningVariance: &runningVariance.value, training: isTraining, momentum: factor, eps: eps)
  }
}
