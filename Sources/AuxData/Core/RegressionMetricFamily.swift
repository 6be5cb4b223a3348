/// Which errors a dense-regression task reports.
public enum RegressionMetricFamily: Sendable, Equatable {
  /// Depth-like targets (depth, disparity): absolute error, relative error and RMSE
  /// (``DepthMetric``).
  case depth
  /// Image targets (e.g. the clean image of a denoising task, mostly zeros, so no relative
  /// error): MAE, RMSE and PSNR with the given peak value (``ImageRegressionMetric``).
  case image(peak: Double)
}
