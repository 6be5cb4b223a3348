/// A 3-vector of `Float` for the scene ray caster (plain stored fields, so loops over it compile
/// to scalar code without SIMD-type overhead in any build).
@usableFromInline
struct SceneVector: Sendable, Equatable {
  @usableFromInline var x: Float
  @usableFromInline var y: Float
  @usableFromInline var z: Float

  @inline(__always) @usableFromInline
  init(_ x: Float, _ y: Float, _ z: Float) {
    self.x = x
    self.y = y
    self.z = z
  }

  static let zero = SceneVector(0, 0, 0)

  @inline(__always) static func + (a: SceneVector, b: SceneVector) -> SceneVector { SceneVector(a.x + b.x, a.y + b.y, a.z + b.z) }
  @inline(__always) static func - (a: SceneVector, b: SceneVector) -> SceneVector { SceneVector(a.x - b.x, a.y - b.y, a.z - b.z) }
  @inline(__always) static func * (s: Float, a: SceneVector) -> SceneVector { SceneVector(s * a.x, s * a.y, s * a.z) }
  @inline(__always) static prefix func - (a: SceneVector) -> SceneVector { SceneVector(-a.x, -a.y, -a.z) }
  @inline(__always) func dot(_ b: SceneVector) -> Float { x * b.x + y * b.y + z * b.z }
  @inline(__always) var length: Float { dot(self).squareRoot() }
  @inline(__always) var normalized: SceneVector { (1 / length) * self }
  @inline(__always) func cross(_ b: SceneVector) -> SceneVector {
    SceneVector(y * b.z - z * b.y, z * b.x - x * b.z, x * b.y - y * b.x)
  }
  /// Component-wise product (colour modulation).
  @inline(__always) func scaled(by b: SceneVector) -> SceneVector { SceneVector(x * b.x, y * b.y, z * b.z) }
}

/// A 3×3 matrix given by its columns; used for rotations (orthonormal, so the inverse is the
/// transpose).
@usableFromInline
struct SceneMatrix: Sendable, Equatable {
  var c0: SceneVector, c1: SceneVector, c2: SceneVector

  static let identity = SceneMatrix(c0: SceneVector(1, 0, 0), c1: SceneVector(0, 1, 0), c2: SceneVector(0, 0, 1))

  /// `M · v`.
  @inline(__always) func apply(_ v: SceneVector) -> SceneVector { v.x * c0 + v.y * c1 + v.z * c2 }
  /// `Mᵀ · v`.
  @inline(__always) func applyTransposed(_ v: SceneVector) -> SceneVector { SceneVector(c0.dot(v), c1.dot(v), c2.dot(v)) }
  /// `A · B`.
  func times(_ b: SceneMatrix) -> SceneMatrix { SceneMatrix(c0: apply(b.c0), c1: apply(b.c1), c2: apply(b.c2)) }

  /// Rotation by `angle` radians about the world's vertical (y) axis.
  static func yaw(_ angle: Float) -> SceneMatrix {
    let (c, s) = (cosf(angle), sinf(angle))
    return SceneMatrix(c0: SceneVector(c, 0, -s), c1: SceneVector(0, 1, 0), c2: SceneVector(s, 0, c))
  }

  /// Rotation by `angle` radians about the x axis.
  static func pitch(_ angle: Float) -> SceneMatrix {
    let (c, s) = (cosf(angle), sinf(angle))
    return SceneMatrix(c0: SceneVector(1, 0, 0), c1: SceneVector(0, c, s), c2: SceneVector(0, -s, c))
  }

  /// Rotation by `angle` radians about the z axis.
  static func roll(_ angle: Float) -> SceneMatrix {
    let (c, s) = (cosf(angle), sinf(angle))
    return SceneMatrix(c0: SceneVector(c, s, 0), c1: SceneVector(-s, c, 0), c2: SceneVector(0, 0, 1))
  }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
