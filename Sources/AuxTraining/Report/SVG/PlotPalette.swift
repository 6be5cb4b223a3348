/// Colours for plot lines: the Okabe–Ito colour-blind-safe palette (without its yellow, which is
/// hard to see on white), then further distinct colours.
enum PlotPalette {
  static let colors = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
    "#8C564B", "#7F7F7F", "#BCBD22", "#17BECF", "#9467BD", "#1F3A93", "#B03A2E",
  ]

  /// The colour of the `index`th series (cycling).
  static func color(_ index: Int) -> String { colors[((index % colors.count) + colors.count) % colors.count] }

  /// The colour of single-task baselines (drawn dashed).
  static let baseline = "#555555"
}
