import Foundation

/// A line chart drawn as a self-contained SVG element: lines with optional min–max bands, axes
/// with ticks and labels, a grid, a title and a legend. No scripts, no external resources.
public struct LinePlot: Sendable {
  /// One point of a line; a non-finite `y` breaks the line.
  public struct Point: Sendable, Equatable {
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) {
      self.x = x
      self.y = y
    }
  }

  /// One point of a band (the range between `low` and `high` at `x`).
  public struct BandPoint: Sendable, Equatable {
    public var x: Double
    public var low: Double
    public var high: Double
    public init(x: Double, low: Double, high: Double) {
      self.x = x
      self.low = low
      self.high = high
    }
  }

  /// One line of the chart.
  public struct Series: Sendable {
    /// The legend entry.
    public var name: String
    /// A CSS colour (`#0072B2`).
    public var color: String
    /// The line, in drawing order.
    public var points: [Point]
    /// A shaded range around the line (e.g. min–max over seeds); nil or empty: none.
    public var band: [BandPoint]?
    /// Draw the line dashed (single-task baselines).
    public var dashed: Bool

    public init(name: String, color: String, points: [Point], band: [BandPoint]? = nil, dashed: Bool = false) {
      self.name = name
      self.color = color
      self.points = points
      self.band = band
      self.dashed = dashed
    }
  }

  /// Printed above the chart and used as the SVG's accessible name.
  public var title: String
  /// The axis labels.
  public var xLabel: String
  public var yLabel: String
  /// The lines, drawn in order (bands first, then lines); the legend lists them in this order.
  public var series: [Series]
  /// Width and minimum height in pixels (the height grows to fit the legend).
  public var width: Double
  public var height: Double
  /// Whether x takes whole values (epochs, steps): ticks are then at least 1 apart.
  public var integerX: Bool

  public init(
    title: String, xLabel: String, yLabel: String, series: [Series], width: Double = 640, height: Double = 340,
    integerX: Bool = false
  ) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.series = series
    self.width = width
    self.height = height
    self.integerX = integerX
  }

  // Layout, in pixels.
  private static let left = 72.0, right = 180.0, top = 36.0, bottom = 52.0, legendRow = 18.0

  /// The `<svg>` element (with the SVG namespace, so it can stand alone or sit inside XHTML).
  public func svg() -> String {
    let h = Swift.max(height, Self.top + Self.legendRow * Double(series.count) + 24)
    let plotW = width - Self.left - Self.right, plotH = h - Self.top - Self.bottom
    var xs: [Double] = [], ys: [Double] = []
    for s in series {
      for p in s.points where p.x.isFinite && p.y.isFinite {
        xs.append(p.x)
        ys.append(p.y)
      }
      for b in s.band ?? [] where b.x.isFinite && b.low.isFinite && b.high.isFinite {
        xs.append(b.x)
        ys.append(b.low)
        ys.append(b.high)
      }
    }
    let xt = AxisTicks(low: xs.min() ?? 0, high: xs.max() ?? 1, minimumStep: integerX ? 1 : 0)
    let yt = AxisTicks(low: ys.min() ?? 0, high: ys.max() ?? 1)
    func px(_ x: Double) -> Double { Self.left + (x - xt.lower) / (xt.upper - xt.lower) * plotW }
    func py(_ y: Double) -> Double { Self.top + plotH - (y - yt.lower) / (yt.upper - yt.lower) * plotH }
    func f(_ v: Double) -> String { String(format: "%.2f", v) }
    let e = XMLEscaping.escape

    var out = """
      <svg xmlns="http://www.w3.org/2000/svg" width="\(f(width))" height="\(f(h))" viewBox="0 0 \(f(width)) \(f(h))" \
      font-family="sans-serif" font-size="11" role="img" aria-label="\(e(title))">
      <title>\(e(title))</title>
      <rect class="background" x="0" y="0" width="\(f(width))" height="\(f(h))" fill="#ffffff"/>
      <text class="plot-title" x="\(f(Self.left))" y="20" font-size="13" font-weight="bold">\(e(title))</text>

      """
    // Grid and ticks.
    out += "<g class=\"grid\" stroke=\"#e3e3e3\" stroke-width=\"1\">\n"
    for v in yt.values { out += "<line x1=\"\(f(Self.left))\" y1=\"\(f(py(v)))\" x2=\"\(f(Self.left + plotW))\" y2=\"\(f(py(v)))\"/>\n" }
    for v in xt.values { out += "<line x1=\"\(f(px(v)))\" y1=\"\(f(Self.top))\" x2=\"\(f(px(v)))\" y2=\"\(f(Self.top + plotH))\"/>\n" }
    out += "</g>\n"
    out += "<g class=\"x-axis\">\n"
    out += "<line x1=\"\(f(Self.left))\" y1=\"\(f(Self.top + plotH))\" x2=\"\(f(Self.left + plotW))\" y2=\"\(f(Self.top + plotH))\" stroke=\"#000000\"/>\n"
    for v in xt.values {
      out += "<line class=\"tick\" x1=\"\(f(px(v)))\" y1=\"\(f(Self.top + plotH))\" x2=\"\(f(px(v)))\" y2=\"\(f(Self.top + plotH + 5))\" stroke=\"#000000\"/>"
      out += "<text class=\"tick-label\" x=\"\(f(px(v)))\" y=\"\(f(Self.top + plotH + 18))\" text-anchor=\"middle\">\(e(xt.label(v)))</text>\n"
    }
    out += "<text class=\"axis-label\" x=\"\(f(Self.left + plotW / 2))\" y=\"\(f(h - 12))\" text-anchor=\"middle\" font-size=\"12\">\(e(xLabel))</text>\n"
    out += "</g>\n<g class=\"y-axis\">\n"
    out += "<line x1=\"\(f(Self.left))\" y1=\"\(f(Self.top))\" x2=\"\(f(Self.left))\" y2=\"\(f(Self.top + plotH))\" stroke=\"#000000\"/>\n"
    for v in yt.values {
      out += "<line class=\"tick\" x1=\"\(f(Self.left - 5))\" y1=\"\(f(py(v)))\" x2=\"\(f(Self.left))\" y2=\"\(f(py(v)))\" stroke=\"#000000\"/>"
      out += "<text class=\"tick-label\" x=\"\(f(Self.left - 8))\" y=\"\(f(py(v) + 4))\" text-anchor=\"end\">\(e(yt.label(v)))</text>\n"
    }
    let yMid = Self.top + plotH / 2
    out += "<text class=\"axis-label\" x=\"16\" y=\"\(f(yMid))\" transform=\"rotate(-90 16 \(f(yMid)))\" text-anchor=\"middle\" font-size=\"12\">\(e(yLabel))</text>\n"
    out += "</g>\n"

    // Bands, then lines, so lines stay visible.
    out += "<g class=\"bands\">\n"
    for s in series {
      for segment in Self.segments(s.band ?? [], finite: { $0.x.isFinite && $0.low.isFinite && $0.high.isFinite }) where segment.count > 1 {
        let upper = segment.map { "\(f(px($0.x))),\(f(py($0.high)))" }
        let lower = segment.reversed().map { "\(f(px($0.x))),\(f(py($0.low)))" }
        out += "<polygon class=\"band\" points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(e(s.color))\" fill-opacity=\"0.18\" stroke=\"none\"/>\n"
      }
    }
    out += "</g>\n<g class=\"lines\" fill=\"none\" stroke-width=\"1.8\" stroke-linejoin=\"round\">\n"
    for s in series {
      let dash = s.dashed ? " stroke-dasharray=\"6 4\"" : ""
      for segment in Self.segments(s.points, finite: { $0.x.isFinite && $0.y.isFinite }) {
        if segment.count == 1 {
          out += "<circle class=\"marker\" cx=\"\(f(px(segment[0].x)))\" cy=\"\(f(py(segment[0].y)))\" r=\"3\" fill=\"\(e(s.color))\"/>\n"
        } else {
          let pts = segment.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
          out += "<polyline class=\"line\" points=\"\(pts)\" stroke=\"\(e(s.color))\"\(dash)/>\n"
        }
      }
    }
    out += "</g>\n"

    // Legend.
    out += "<g class=\"legend\">\n"
    let lx = Self.left + plotW + 16
    for (i, s) in series.enumerated() {
      let y = Self.top + 8 + Double(i) * Self.legendRow
      let dash = s.dashed ? " stroke-dasharray=\"6 4\"" : ""
      out += "<g class=\"legend-item\"><line x1=\"\(f(lx))\" y1=\"\(f(y))\" x2=\"\(f(lx + 22))\" y2=\"\(f(y))\" stroke=\"\(e(s.color))\" stroke-width=\"2.5\"\(dash)/>"
      out += "<text x=\"\(f(lx + 28))\" y=\"\(f(y + 4))\">\(e(s.name))</text></g>\n"
    }
    out += "</g>\n</svg>"
    return out
  }

  /// Runs of consecutive elements accepted by `finite`.
  static func segments<T>(_ items: [T], finite: (T) -> Bool) -> [[T]] {
    var out: [[T]] = []
    var current: [T] = []
    for item in items {
      if finite(item) {
        current.append(item)
      } else if !current.isEmpty {
        out.append(current)
        current = []
      }
    }
    if !current.isEmpty { out.append(current) }
    return out
  }
}
