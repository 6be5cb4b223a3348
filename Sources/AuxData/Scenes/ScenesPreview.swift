import AuxEngine
import AuxIO
import Foundation

/// A picture of what the `scenes` generator makes: one row per scene, five columns (image,
/// semantic classes, depth, normals, edges), written as PNG.
///
/// Column encodings: the image as is; classes with ``palette``; depth through a "turbo" colour
/// map from near (blue) to far (red), scaled to each scene's valid depth range, black where
/// nothing is hit; normals as RGB `(n + 1) / 2` (label convention: x right, y down, z towards the
/// camera), black where nothing is hit; edges white on black.
public enum ScenesPreview {
  /// Class colours, indexed by ``SceneClass`` raw value: background black, floor brown, wall
  /// grey-blue, sphere red, box green, cylinder blue, cone yellow.
  public static let palette: [[UInt8]] = [
    [0, 0, 0], [140, 100, 60], [120, 140, 170], [230, 60, 60], [60, 180, 75], [60, 110, 230], [240, 200, 40],
  ]

  /// Columns per row.
  public static let columns = 5

  /// Renders the grid as interleaved RGB bytes, with `padding` pixels of mid-grey between and
  /// around the cells.
  public static func grid(generator: ScenesGenerator, scenes: [Int], padding: Int = 2) -> (pixels: [UInt8], width: Int, height: Int) {
    precondition(!scenes.isEmpty && padding >= 0, "ScenesPreview.grid: need at least one scene and padding ≥ 0")
    let (h, w) = (generator.config.height, generator.config.width)
    let width = columns * w + (columns + 1) * padding
    let height = scenes.count * h + (scenes.count + 1) * padding
    var out = [UInt8](repeating: 96, count: width * height * 3)
    for (row, scene) in scenes.enumerated() {
      let r = generator.render(index: scene)
      let cells = cellColors(r)
      for (col, cell) in cells.enumerated() {
        let x0 = padding + col * (w + padding), y0 = padding + row * (h + padding)
        for y in 0..<h {
          for x in 0..<w {
            let o = ((y0 + y) * width + x0 + x) * 3
            let i = (y * w + x) * 3
            out[o] = cell[i]
            out[o + 1] = cell[i + 1]
            out[o + 2] = cell[i + 2]
          }
        }
      }
    }
    return (out, width, height)
  }

  /// Writes the grid as a PNG file (atomically).
  public static func writePNG(generator: ScenesGenerator, scenes: [Int], to url: URL, padding: Int = 2) throws {
    let g = grid(generator: generator, scenes: scenes, padding: padding)
    try PNGWriter.write(pixels: g.pixels, width: g.width, height: g.height, colorType: .rgb, to: url)
  }

  /// The five cells of one scene, each as interleaved RGB bytes.
  static func cellColors(_ r: SceneRendering) -> [[UInt8]] {
    let (h, w) = (r.camera.height, r.camera.width)
    let plane = h * w
    @inline(__always) func byte(_ v: Float) -> UInt8 { UInt8((Swift.min(Swift.max(v, 0), 1) * 255).rounded()) }
    var image = [UInt8](repeating: 0, count: plane * 3)
    var semantic = image, depth = image, normal = image, edge = image
    let img = r.image.scalars, sem = r.semantic.scalars, dep = r.depth.scalars, nor = r.normal.scalars
    let edg = r.edge.scalars, val = r.valid.scalars
    var lo = Float.infinity, hi = -Float.infinity
    for i in 0..<plane where val[i] > 0 {
      lo = Swift.min(lo, dep[i])
      hi = Swift.max(hi, dep[i])
    }
    for i in 0..<plane {
      for c in 0..<3 {
        image[i * 3 + c] = byte(img[c * plane + i])
        semantic[i * 3 + c] = palette[Int(sem[i])][c]
        edge[i * 3 + c] = edg[i] > 0 ? 255 : 0
      }
      if val[i] > 0 {
        let t = hi > lo ? (dep[i] - lo) / (hi - lo) : 0
        let rgb = turbo(t)
        for c in 0..<3 {
          depth[i * 3 + c] = byte(rgb[c])
          normal[i * 3 + c] = byte((nor[c * plane + i] + 1) / 2)
        }
      }
    }
    return [image, semantic, depth, normal, edge]
  }

  /// The "turbo" colour map at `t ∈ [0, 1]` (polynomial approximation by Ruofei Du of Google's
  /// Turbo map).
  static func turbo(_ t0: Float) -> [Float] {
    let t = Swift.min(Swift.max(t0, 0), 1)
    let r = 0.13572138 + t * (4.61539260 + t * (-42.66032258 + t * (132.13108234 + t * (-152.94239396 + t * 59.28637943))))
    let g = 0.09140261 + t * (2.19418839 + t * (4.84296658 + t * (-14.18503333 + t * (4.27729857 + t * 2.82956604))))
    let b = 0.10667330 + t * (12.64194608 + t * (-60.58204836 + t * (110.36276771 + t * (-89.90310912 + t * 27.34824973))))
    return [r, g, b]
  }
}
