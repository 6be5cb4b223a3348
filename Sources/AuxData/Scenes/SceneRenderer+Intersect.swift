/// Ray–shape intersection in an object's local frame (shapes as documented on ``SceneObject``).
///
/// Rays start outside every object (objects keep a distance from the camera), so the nearest
/// intersection with `t > 0` is where the ray enters the object. Returns `.infinity` for a miss,
/// and the outward unit normal in the local frame.
extension SceneRenderer {
  @inline(__always)
  static func intersect(_ shape: SceneClass, origin o: SceneVector, direction d: SceneVector, size: SceneVector) -> (Float, SceneVector) {
    switch shape {
    case .sphere: return sphere(o, d, radius: size.x)
    case .box: return box(o, d, half: size)
    case .cylinder: return cylinder(o, d, radius: size.x, halfHeight: size.y)
    default: return cone(o, d, radius: size.x, halfHeight: size.y)
    }
  }

  @inline(__always)
  static func sphere(_ o: SceneVector, _ d: SceneVector, radius r: Float) -> (Float, SceneVector) {
    let a = d.dot(d), b = o.dot(d), c = o.dot(o) - r * r
    let disc = b * b - a * c
    guard b < 0, disc >= 0 else { return (.infinity, .zero) }
    let t = (-b - disc.squareRoot()) / a
    guard t > 0 else { return (.infinity, .zero) }
    return (t, (1 / r) * (o + t * d))
  }

  @inline(__always)
  static func box(_ o: SceneVector, _ d: SceneVector, half e: SceneVector) -> (Float, SceneVector) {
    let ix = 1 / d.x, iy = 1 / d.y, iz = 1 / d.z
    let tx0 = (-e.x - o.x) * ix, tx1 = (e.x - o.x) * ix
    let ty0 = (-e.y - o.y) * iy, ty1 = (e.y - o.y) * iy
    let tz0 = (-e.z - o.z) * iz, tz1 = (e.z - o.z) * iz
    let nx = Swift.min(tx0, tx1), fx = Swift.max(tx0, tx1)
    let ny = Swift.min(ty0, ty1), fy = Swift.max(ty0, ty1)
    let nz = Swift.min(tz0, tz1), fz = Swift.max(tz0, tz1)
    let near = Swift.max(nx, Swift.max(ny, nz))
    let far = Swift.min(fx, Swift.min(fy, fz))
    guard near <= far, near > 0 else { return (.infinity, .zero) }
    let n: SceneVector
    if near == nx {
      n = SceneVector(d.x > 0 ? -1 : 1, 0, 0)
    } else if near == ny {
      n = SceneVector(0, d.y > 0 ? -1 : 1, 0)
    } else {
      n = SceneVector(0, 0, d.z > 0 ? -1 : 1)
    }
    return (near, n)
  }

  @inline(__always)
  static func cylinder(_ o: SceneVector, _ d: SceneVector, radius r: Float, halfHeight hh: Float) -> (Float, SceneVector) {
    var bestT = Float.infinity
    var n = SceneVector.zero
    let a = d.x * d.x + d.z * d.z
    if a > 1e-12 {
      let b = o.x * d.x + o.z * d.z, c = o.x * o.x + o.z * o.z - r * r
      let disc = b * b - a * c
      if disc >= 0 {
        let t = (-b - disc.squareRoot()) / a
        let y = o.y + t * d.y
        if t > 0 && Swift.abs(y) <= hh {
          bestT = t
          n = SceneVector((o.x + t * d.x) / r, 0, (o.z + t * d.z) / r)
        }
      }
    }
    if (o.y > hh && d.y < 0) || (o.y < -hh && d.y > 0) {
      let capY: Float = o.y > hh ? hh : -hh
      let t = (capY - o.y) / d.y
      let x = o.x + t * d.x, z = o.z + t * d.z
      if t > 0 && t < bestT && x * x + z * z <= r * r {
        bestT = t
        n = SceneVector(0, o.y > hh ? 1 : -1, 0)
      }
    }
    return (bestT, n)
  }

  @inline(__always)
  static func cone(_ o: SceneVector, _ d: SceneVector, radius r: Float, halfHeight hh: Float) -> (Float, SceneVector) {
    // Side: x² + z² = k²·(hh − y)² for −hh ≤ y ≤ hh, k = r / (2·hh).
    let k = r / (2 * hh), k2 = k * k
    let y0 = hh - o.y
    let a = d.x * d.x + d.z * d.z - k2 * d.y * d.y
    let b = o.x * d.x + o.z * d.z + k2 * y0 * d.y
    let c = o.x * o.x + o.z * o.z - k2 * y0 * y0
    var bestT = Float.infinity
    var n = SceneVector.zero
    var t1 = Float.infinity, t2 = Float.infinity
    if Swift.abs(a) < 1e-9 {
      if b != 0 { t1 = -c / (2 * b) }
    } else {
      let disc = b * b - a * c
      if disc >= 0 {
        // Numerically stable roots: q = −(b + sign(b)·√disc), roots q/a and c/q.
        let q = -(b + (b >= 0 ? disc.squareRoot() : -disc.squareRoot()))
        let r1 = q / a, r2 = q != 0 ? c / q : r1
        t1 = Swift.min(r1, r2)
        t2 = Swift.max(r1, r2)
      }
    }
    // The nearer root first; a root is a hit when it lies on the finite cone (−hh ≤ y ≤ hh).
    var t = t1
    for _ in 0..<2 {
      if t > 0 && t.isFinite {
        let y = o.y + t * d.y
        if y >= -hh && y <= hh {
          let g = SceneVector(o.x + t * d.x, k2 * (hh - y), o.z + t * d.z)
          let len = g.length
          bestT = t
          n = len > 1e-12 ? (1 / len) * g : SceneVector(0, 1, 0)
          break
        }
      }
      t = t2
    }
    if o.y < -hh && d.y > 0 {
      let t = (-hh - o.y) / d.y
      let x = o.x + t * d.x, z = o.z + t * d.z
      if t > 0 && t < bestT && x * x + z * z <= r * r {
        bestT = t
        n = SceneVector(0, -1, 0)
      }
    }
    return (bestT, n)
  }
}
