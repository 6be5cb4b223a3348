/// Everything one training run needs, as written in a YAML config file (snake_case keys) and
/// overridable from the command line (`--set training.epochs=5`).
///
/// Every field has a default, so an empty file is a valid config (the `scenes` benchmark with the
/// reference CNN and IAL). The resolved config (defaults filled in, overrides applied) is saved in
/// each run folder as `config.yaml`.
public struct TrainConfig: Codable, Sendable, Equatable {
  /// Name of the experiment: runs go to `<output>/<experiment>/<run id>/`.
  public var experiment: String = "default"
  /// Root folder of all experiments.
  public var output: String = "runs"
  /// Seed for initialisation, data order, augmentation and randomised methods.
  public var seed: UInt64 = 0
  public var dataset = DatasetConfig()
  public var tasks = TasksConfig()
  public var method = MethodConfig()
  public var model = ModelConfig()
  public var optimizer = OptimizerConfig()
  public var schedule = ScheduleConfig()
  public var training = TrainingConfig()

  public init() {}

  /// Which data to train on.
  public struct DatasetConfig: Codable, Sendable, Equatable {
    /// A name in ``AuxData/DatasetRegistry`` (`auxmtl components dataset.name`).
    public var name: String = "scenes"
    /// Folder of a dataset users bring (NYUv2, Cityscapes, CIFAR-100, Fashion-MNIST elsewhere).
    public var path: String? = nil
    /// Image side for generated datasets (`scenes`: 32…256).
    public var size: Int = 64
    /// Number of training / validation / test samples for generated datasets (0: the dataset's own
    /// split sizes for datasets on disk).
    public var trainSamples: Int = 2000
    public var validationSamples: Int = 200
    public var testSamples: Int = 500
    /// Apply the dataset's standard training augmentation.
    public var augment: Bool = false
    /// Folder for caching generated samples as NPY (nil: no cache).
    public var cache: String? = nil

    public init() {}
  }

  /// Which tasks are primary and which auxiliary.
  public struct TasksConfig: Codable, Sendable, Equatable {
    /// Primary task names; `["all"]` means every task is primary (the multi-task setting).
    public var primary: [String] = ["semantic"]
    /// Auxiliary task names; nil means every task of the dataset that is not primary.
    public var auxiliary: [String]? = nil
    /// The metric Δm and early stopping use per task (default: the task kind's usual one).
    public var mainMetric: [String: String] = [:]
    /// Controlled label noise on auxiliary tasks' training labels, by task: `<kind>:<rate>` with
    /// kind `gaussian`, `flip` or `blocks` (see AuxData's `LabelNoise`). Nil: none. (Optional so
    /// that run records written before the key existed still decode; use ``labelNoise``.)
    public var noise: [String: String]? = nil
    /// The fraction of training images that keep the primary tasks' labels (the label-scarce
    /// regime: the others carry auxiliary labels only and the primary losses skip them); nil or 1:
    /// all. Validation and test labels are never removed.
    public var primaryLabelFraction: Double? = nil
    /// Auxiliary tasks whose labels a teacher makes, by the new task's name (see
    /// ``PseudoTaskConfig``). Nil: none (use ``pseudoTasks``).
    public var pseudo: [String: PseudoTaskConfig]? = nil

    public init() {}

    /// ``pseudo`` with nil as empty.
    public var pseudoTasks: [String: PseudoTaskConfig] {
      get { pseudo ?? [:] }
      set { pseudo = newValue.isEmpty ? nil : newValue }
    }

    /// ``noise`` with nil as empty.
    public var labelNoise: [String: String] {
      get { noise ?? [:] }
      set { noise = newValue.isEmpty ? nil : newValue }
    }
  }

  /// The weighting method and its options (see `auxmtl methods`).
  public struct MethodConfig: Codable, Sendable, Equatable {
    public var name: String = "ial"
    public var options: [String: String] = [:]
    /// Learning rate of the method's own parameters (nil: the network's).
    public var learningRate: Double? = nil
    /// Weight decay of the method's own parameters (IAL's log σ, UW's log variances, …), in the
    /// optimiser's sense (L2 for SGD and Adam, decoupled for AdamW). Nil: none, the default,
    /// because decay on log σ biases σ towards 1. The IAL authors' code puts σ in the network's
    /// optimiser with the network's decay: set the same value as `optimizer.weight_decay` for that.
    public var weightDecay: Double? = nil

    public init() {}
  }

  /// The network.
  public struct ModelConfig: Codable, Sendable, Equatable {
    /// A name in ``NetworkRegistry/encoders`` (`auxmtl components model.encoder`).
    public var encoder: String = "refcnn"
    /// Dense heads: a name in ``NetworkRegistry/heads`` (`auxmtl components model.head`).
    public var head: String = "light"
    /// Output stride of dilated ResNets (8, 16 or 32).
    public var outputStride: Int = 8
    /// A safetensors file with encoder weights in PyTorch names (e.g. a torchvision backbone).
    public var pretrained: String? = nil
    /// A safetensors state dict (e.g. another run's `best.safetensors`) whose entries replace the
    /// model's initial weights where names and shapes match (after `pretrained`).
    public var initialWeights: String? = nil
    /// Task heads that keep their initial (or loaded) weights and leave the optimiser: the IAL
    /// paper's "broken auxiliary task" (the authors' `is_fix_head`). Their losses still send
    /// gradients into the encoder. Nil: none (use ``frozen``).
    public var frozenHeads: [String]? = nil
    /// Seed 004's training-only auxiliary module (`aux-module-approx`, AuxNN's
    /// `AuxiliaryModule`): attached during training, absent from evaluation and saved weights.
    /// Nil: off (use ``auxModuleEnabled``; optional so older run records decode).
    public var auxModule: Bool? = nil
    /// Channels of the module's blocks (nil: 32; use ``auxModuleChannels``).
    public var auxModuleWidth: Int? = nil
    /// Weight of the module's summed task losses (nil: 1; use ``auxModuleLossWeight``).
    public var auxModuleWeight: Double? = nil

    public init() {}

    public var auxModuleEnabled: Bool {
      get { auxModule ?? false }
      set { auxModule = newValue ? true : nil }
    }
    public var auxModuleChannels: Int {
      get { auxModuleWidth ?? 32 }
      set { auxModuleWidth = newValue == 32 ? nil : newValue }
    }
    public var auxModuleLossWeight: Double {
      get { auxModuleWeight ?? 1 }
      set { auxModuleWeight = newValue == 1 ? nil : newValue }
    }

    /// ``frozenHeads`` with nil as empty.
    public var frozen: [String] {
      get { frozenHeads ?? [] }
      set { frozenHeads = newValue.isEmpty ? nil : newValue }
    }
  }

  /// The optimiser.
  public struct OptimizerConfig: Codable, Sendable, Equatable {
    /// A name in ``OptimizerRegistry`` (`auxmtl components optimizer.name`).
    public var name: String = "adam"
    public var learningRate: Double = 1e-3
    public var weightDecay: Double = 0
    /// SGD momentum.
    public var momentum: Double = 0.9
    /// Clip the global gradient norm (0: off).
    public var clipNorm: Double = 0

    public init() {}
  }

  /// The learning-rate schedule, stepped once per epoch.
  public struct ScheduleConfig: Codable, Sendable, Equatable {
    /// A name in ``ScheduleRegistry`` (`auxmtl components schedule.name`).
    public var name: String = "constant"
    /// `step`: epochs between decays; `gamma`: decay factor.
    public var stepSize: Int = 30
    public var gamma: Double = 0.1
    /// `cosine`: final learning rate.
    public var minLearningRate: Double = 0
    /// `poly`: power (0.9 in the IAL code).
    public var power: Double = 0.9
    /// Linear warm-up epochs before the schedule.
    public var warmupEpochs: Int = 0

    public init() {}
  }

  /// The training loop.
  public struct TrainingConfig: Codable, Sendable, Equatable {
    public var epochs: Int = 10
    public var batchSize: Int = 16
    /// Evaluate on the validation split every this many epochs (and always at the end).
    public var evalEvery: Int = 1
    /// Stop when the primary's main validation metric has not improved for this many evaluations
    /// (0: never).
    public var earlyStoppingPatience: Int = 0
    /// Log the method's weights every this many steps.
    public var logEvery: Int = 10
    /// BLAS threads (0: all cores).
    public var threads: Int = 0
    /// Batches prefetched on a background thread (0: none).
    public var prefetch: Int = 2
    /// Stop each epoch after this many steps (0: a full pass over the training split); for quick
    /// runs and tests.
    public var maxStepsPerEpoch: Int = 0

    public init() {}
  }
}
