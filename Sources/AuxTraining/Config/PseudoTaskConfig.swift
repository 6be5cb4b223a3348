extension TrainConfig {
  /// An auxiliary task whose labels come from a teacher rather than from annotations (the IAL
  /// paper's "pseudo tasks", §IV-D): one entry of `tasks.pseudo`, under the new task's name.
  ///
  /// The labels come from exactly one source:
  ///
  /// - `teacher`: a run folder of `auxmtl train` (or a `.safetensors` file inside one). The
  ///   teacher's network is rebuilt from the run's recorded configuration, its weights are loaded
  ///   (`best.safetensors` for a folder), and its head for `task` is run once over every split.
  ///   The labels are cached as NPY under `<output>/pseudo-labels/`, keyed to a hash of the
  ///   teacher's weights, the settings below and the data, and reused by later runs.
  /// - `labels`: a folder of precomputed NPY files the user brings (a real pre-trained model's
  ///   outputs, e.g. a COCO DeepLab on NYUv2), one per split: `train.npy`, `validation.npy`,
  ///   `test.npy` (and `<split>_score.npy` for thresholded hard masks). See
  ///   ``AuxData/PrecomputedPseudoLabels`` for the shapes.
  ///
  /// `kind` says what the label is:
  ///
  /// | kind | teacher head | label | loss |
  /// | --- | --- | --- | --- |
  /// | `hard` | dense class map | the most likely class per pixel; pixels whose probability is below `threshold` are ignored | cross-entropy with ignore index |
  /// | `soft` | class logits, or a dense class map (the image's mean per-pixel distribution) | a class distribution per image | soft-target cross-entropy |
  /// | `regression` | dense regression or unit-vector map | the map itself (every pixel valid) | L1, or 1 − cosine for unit vectors |
  public struct PseudoTaskConfig: Codable, Sendable, Equatable {
    /// A run folder of `auxmtl train`, or a `.safetensors` state dict inside one.
    public var teacher: String? = nil
    /// A folder of precomputed NPY labels (`train.npy`, `validation.npy`, `test.npy`).
    public var labels: String? = nil
    /// The teacher's task whose head makes the labels (required with `teacher`).
    public var task: String? = nil
    /// `hard`, `soft` or `regression`.
    public var kind: String = "hard"
    /// `hard`: pixels whose most likely class has a probability below this are ignored (0: none).
    public var threshold: Double = 0
    /// `hard` with `labels`: the number of classes of the class maps.
    public var classes: Int? = nil

    public init() {}

    /// The kinds `kind` accepts.
    public static let kinds = ["hard", "soft", "regression"]
    /// The keys an entry accepts, in the order they are written.
    public static let keys = ["teacher", "labels", "task", "kind", "threshold", "classes"]
  }
}
