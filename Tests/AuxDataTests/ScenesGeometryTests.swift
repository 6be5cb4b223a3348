import AuxData
import AuxEngine
import Foundation
import Testing

/// Geometric checks of the `scenes` labels: they must describe the rendered 3D scene exactly.
@Suite("Scenes geometry")
struct ScenesGeometryTests {
  static let configs = [
    ScenesConfig(height: 64, width: 64, seed: 1),
    ScenesConfig(height: 96, width: 160, seed: 2),
    ScenesConfig(height: 32, width: 32, seed: 3),
    ScenesConfig(height: 256, width: 256, seed: 4),
  ]

  /// Pixel (u, v) as a camera-frame point (x right, y down, z forward) from the depth label.
  static func point(_ r: SceneRendering, _ d: [Float], _ u: Int, _ v: Int) -> (Float, Float, Float) {
    let p = r.camera.backProject(u: u, v: v, depth: d[v * r.camera.width + u])
    return (p.x, p.y, p.z)
  }

  @Test("normals are unit length where valid, zero elsewhere, and face the camera", arguments: configs)
  func normalsAreUnitAndFacing(config: ScenesConfig) {
    let g = ScenesGenerator(config: config)
    for index in 0..<(config.height > 128 ? 3 : 20) {
      let r = g.render(index: index)
      let (h, w) = (config.height, config.width)
      let plane = h * w
      let n = r.normal.scalars, d = r.depth.scalars, valid = r.valid.scalars
      var worstLength: Float = 0
      var facingViolations = 0
      for v in 0..<h {
        for u in 0..<w {
          let i = v * w + u
          let (x, y, z) = (n[i], n[plane + i], n[2 * plane + i])
          if valid[i] == 0 {
            #expect(x == 0 && y == 0 && z == 0 && d[i] == 0)
            continue
          }
          worstLength = max(worstLength, abs((x * x + y * y + z * z).squareRoot() - 1))
          // Label z points towards the camera; in the camera frame the normal is (x, y, −z), and a
          // visible surface has n · p < 0 for its point p.
          let (px, py, pz) = Self.point(r, d, u, v)
          if x * px + y * py - z * pz >= 0 { facingViolations += 1 }
        }
      }
      #expect(worstLength < 1e-5, "scene \(index): worst |‖n‖ − 1| = \(worstLength)")
      #expect(facingViolations == 0, "scene \(index): \(facingViolations) normals face away from the camera")
    }
  }

  /// Normal from finite differences of back-projected depth: with P(u, v) the camera-frame point,
  /// `−(P(u+1,v) − P(u−1,v)) × (P(u,v+1) − P(u,v−1))` normalised (x right, y down, z forward is
  /// right-handed, so the cross product of the right and down tangents points away from the
  /// camera).
  static func finiteDifferenceNormal(_ r: SceneRendering, _ d: [Float], _ u: Int, _ v: Int) -> (Float, Float, Float) {
    let (ax, ay, az) = point(r, d, u + 1, v), (bx, by, bz) = point(r, d, u - 1, v)
    let (cx, cy, cz) = point(r, d, u, v + 1), (ex, ey, ez) = point(r, d, u, v - 1)
    let (dxx, dxy, dxz) = (ax - bx, ay - by, az - bz)
    let (dyx, dyy, dyz) = (cx - ex, cy - ey, cz - ez)
    var (nx, ny, nz) = (dxy * dyz - dxz * dyy, dxz * dyx - dxx * dyz, dxx * dyy - dxy * dyx)
    let len = (nx * nx + ny * ny + nz * nz).squareRoot()
    (nx, ny, nz) = (-nx / len, -ny / len, -nz / len)
    return (nx, ny, nz)
  }

  @Test("normals agree with finite differences of back-projected depth on smooth surfaces", arguments: configs)
  func normalsMatchDepth(config: ScenesConfig) {
    let g = ScenesGenerator(config: config)
    let (h, w) = (config.height, config.width)
    let plane = h * w
    var planar: [Float] = [], sphere: [Float] = [], curved: [Float] = []
    for index in 0..<(config.height > 128 ? 4 : 30) {
      let r = g.render(index: index)
      let n = r.normal.scalars, d = r.depth.scalars, sem = r.semantic.scalars, edge = r.edge.scalars
      for v in 2..<(h - 2) {
        for u in 2..<(w - 2) {
          let i = v * w + u
          let id = r.instance[i]
          guard id >= 0 else { continue }
          // Away from edges: the 5×5 window shows one surface and holds no edge pixel.
          var interior = true
          for dv in -2...2 {
            for du in -2...2 where r.instance[i + dv * w + du] != id || edge[i + dv * w + du] != 0 { interior = false }
          }
          guard interior else { continue }
          let (fx, fy, fz) = Self.finiteDifferenceNormal(r, d, u, v)
          let (lx, ly, lz) = (n[i], n[plane + i], -n[2 * plane + i])  // label → camera frame
          let cosine = max(-1, min(1, fx * lx + fy * ly + fz * lz))
          let angle = acos(cosine) * 180 / .pi
          switch Int(sem[i]) {
          case 1, 2, 4: planar.append(angle)  // floor, wall, box faces
          case 3: sphere.append(angle)
          default: curved.append(angle)  // cylinders (sides and caps), cones
          }
        }
      }
    }
    func summary(_ a: [Float]) -> String {
      let s = a.sorted()
      return "n \(s.count), mean \(s.reduce(0, +) / Float(max(s.count, 1)))°, p95 \(s.isEmpty ? 0 : s[s.count * 95 / 100])°, max \(s.last ?? 0)°"
    }
    #expect(planar.count > 1000, "too few planar interior pixels: \(planar.count)")
    #expect(planar.max()! < 0.1, "planar surfaces: \(summary(planar))")
    #expect(!sphere.isEmpty)
    let sortedSphere = sphere.sorted()
    // Central differences on a curved surface differ from the true normal by O(h²); measured
    // maxima are about 0.5° (spheres) and 0.9° (cylinders, cones) over these scenes.
    #expect(sortedSphere.reduce(0, +) / Float(sphere.count) < 0.5, "sphere interiors: \(summary(sphere))")
    #expect(sortedSphere.last! < 2, "sphere interiors: \(summary(sphere))")
    if !curved.isEmpty {
      #expect(curved.max()! < 3, "cylinders and cones: \(summary(curved))")
    }
    print("\(config.height)×\(config.width): planar \(summary(planar)); sphere \(summary(sphere)); cylinder/cone \(summary(curved))")
  }
  /// Whether pixels p and q show one surface whose normals differ by more than the threshold.
  static func isCrease(_ r: SceneRendering, _ n: [Float], _ p: Int, _ q: Int, thresholdDegrees: Float) -> Bool {
    let plane = r.camera.width * r.camera.height
    guard r.instance[p] == r.instance[q], r.instance[p] >= 0 else { return false }
    let c = n[p] * n[q] + n[plane + p] * n[plane + q] + n[2 * plane + p] * n[2 * plane + q]
    return c < cos(thresholdDegrees * .pi / 180)
  }

  @Test("edges lie exactly where the surface, the class, the depth or the normal changes", arguments: configs)
  func edgesWhereThingsChange(config: ScenesConfig) {
    let g = ScenesGenerator(config: config)
    let (h, w) = (config.height, config.width)
    var creasePixels = 0
    for index in 0..<(config.height > 128 ? 4 : 30) {
      let r = g.render(index: index)
      let e = r.edge.scalars, d = r.depth.scalars, n = r.normal.scalars, sem = r.semantic.scalars, valid = r.valid.scalars
      var pairProblems: [String] = []
      for v in 0..<h {
        for u in 0..<w {
          let p = v * w + u
          #expect(e[p] == 0 || e[p] == 1)
          if e[p] == 1 { #expect(valid[p] == 1, "edge on a background pixel") }
          for q in [u + 1 < w ? p + 1 : -1, v + 1 < h ? p + w : -1] where q >= 0 {
            let edgeHere = e[p] == 1 || e[q] == 1
            // Every change of surface (object, floor, wall, nothing) is marked on at least one side…
            if r.instance[p] != r.instance[q] && !edgeHere { pairProblems.append("surface change \(p)-\(q) unmarked") }
            // …on the nearer side (nothing counts as infinitely far)…
            if r.instance[p] != r.instance[q] {
              let dp = valid[p] == 1 ? d[p] : .infinity, dq = valid[q] == 1 ? d[q] : .infinity
              if dp < dq && e[p] != 1 { pairProblems.append("nearer pixel \(p) unmarked") }
              if dq < dp && e[q] != 1 { pairProblems.append("nearer pixel \(q) unmarked") }
            }
            // …so every class change is marked, and so is every large depth jump.
            if sem[p] != sem[q] && !edgeHere { pairProblems.append("class change \(p)-\(q) unmarked") }
            if valid[p] == 1 && valid[q] == 1 && abs(d[p] - d[q]) > 0.25 * min(d[p], d[q]) && !edgeHere {
              pairProblems.append("depth jump \(d[p])→\(d[q]) at \(p)-\(q) unmarked")
            }
            if Self.isCrease(r, n, p, q, thresholdDegrees: config.creaseThreshold) && !edgeHere {
              pairProblems.append("crease \(p)-\(q) unmarked")
            }
          }
          // Conversely, an edge pixel has a neighbour across a surface change or a crease.
          if e[p] == 1 {
            var explained = false
            for (du, dv) in [(1, 0), (-1, 0), (0, 1), (0, -1)] {
              let (uu, vv) = (u + du, v + dv)
              guard uu >= 0 && uu < w && vv >= 0 && vv < h else { continue }
              let q = vv * w + uu
              if r.instance[q] != r.instance[p] || Self.isCrease(r, n, p, q, thresholdDegrees: config.creaseThreshold) {
                explained = true
              }
              if r.instance[q] == r.instance[p] && Self.isCrease(r, n, p, q, thresholdDegrees: config.creaseThreshold) {
                creasePixels += 1
              }
            }
            if !explained { pairProblems.append("edge pixel \(p) has no change around it") }
          }
        }
      }
      #expect(pairProblems.isEmpty, "scene \(index): \(pairProblems.count) problems, first: \(pairProblems.prefix(3))")
    }
    // Boxes and cylinders show creases (90° between faces) in some of these scenes.
    #expect(creasePixels > 0)
  }
}
