import AuxEngine
import Foundation

/// A procedural texture on the floor or the wall: the albedo is multiplied by `1 − contrast` on
/// "dark" cells.
struct SceneTexture: Sendable, Equatable {
  enum Kind: Sendable, Equatable { case plain, checker, stripes }
  var kind: Kind
  /// Cell (checker) or stripe width in metres.
  var period: Float
  /// Pattern rotation in the surface plane, radians.
  var angle: Float
  /// Darkening of the dark cells, in (0, 1).
  var contrast: Float

  static let plain = SceneTexture(kind: .plain, period: 1, angle: 0, contrast: 0)

  /// The albedo factor at surface coordinates `(u, v)` (metres).
  @inline(__always)
  func factor(_ u: Float, _ v: Float) -> Float {
    if kind == .plain { return 1 }
    let (c, s) = (cosf(angle), sinf(angle))
    let ru = (c * u + s * v) / period
    let rv = (-s * u + c * v) / period
    let dark: Bool
    if kind == .checker {
      dark = (Int(ru.rounded(.down)) &+ Int(rv.rounded(.down))) & 1 != 0
    } else {
      dark = Int(ru.rounded(.down)) & 1 != 0
    }
    return dark ? 1 - contrast : 1
  }
}

/// One object of a scene, in world coordinates (metres; y up, the floor is y = 0).
///
/// Each shape is canonical in its local frame, centred on the local origin: a sphere of radius
/// `size.x`; a box of half extents `size`; a cylinder of radius `size.x` along local y from
/// `−size.y` to `size.y`; a cone with its base (radius `size.x`) at local `y = −size.y` and its
/// apex at `y = size.y`. `rotation` maps local to world directions; `center` is the local origin
/// in the world.
struct SceneObject: Sendable, Equatable {
  var shape: SceneClass
  var center: SceneVector
  var rotation: SceneMatrix
  var size: SceneVector
  var color: SceneVector
  /// Radius of a sphere around `center` containing the object.
  var boundingRadius: Float
  /// Radius of a vertical cylinder around `center` containing the object's floor footprint.
  var footprint: Float
}

/// Everything that defines one scene, drawn from the scene's random stream.
///
/// World frame: x right, y up, z away from the camera's initial heading, metres. The camera sits at
/// `(0, cameraHeight, 0)`; the floor is the plane y = 0 in front of the back wall, which is the
/// plane z = `wallDistance` from y = 0 to y = `wallHeight`. Both extend without limit sideways.
struct SceneLayout: Sendable, Equatable {
  var cameraPosition: SceneVector
  /// Camera-to-world rotation; columns are the camera's right, down and forward axes in the world.
  var cameraRotation: SceneMatrix
  var wallDistance: Float
  var wallHeight: Float
  var floorColor: SceneVector
  var wallColor: SceneVector
  var backgroundColor: SceneVector
  var floorTexture: SceneTexture
  var wallTexture: SceneTexture
  var lightPosition: SceneVector
  var ambient: Float
  var noiseStd: Float
  var objects: [SceneObject]

  /// Draws a scene. `horizontalFieldOfView` (degrees) bounds where objects are placed.
  static func random(using rng: inout RandomGenerator, config: ScenesConfig) -> SceneLayout {
    @inline(__always) func uniform(_ lo: Float, _ hi: Float) -> Float { lo + (hi - lo) * rng.nextUniform() }
    func color() -> SceneVector {
      hsvToRGB(h: rng.nextUniform(), s: uniform(0.2, 0.9), v: uniform(0.35, 1))
    }
    func texture() -> SceneTexture {
      guard config.textures else { return .plain }
      let kinds: [SceneTexture.Kind] = [.plain, .checker, .stripes]
      let kind = kinds[rng.nextInt(below: 3)]
      return SceneTexture(kind: kind, period: uniform(0.2, 0.8), angle: uniform(0, .pi), contrast: uniform(0.2, 0.5))
    }
    let degree = Float.pi / 180
    let cameraHeight = uniform(1.2, 1.8)
    let pitch = uniform(8, 22) * degree
    let yaw = uniform(-15, 15) * degree
    let (cp, sp) = (cosf(pitch), sinf(pitch))
    let level = SceneMatrix(c0: SceneVector(1, 0, 0), c1: SceneVector(0, -cp, -sp), c2: SceneVector(0, -sp, cp))
    let cameraRotation = SceneMatrix.yaw(yaw).times(level)
    let wallDistance = uniform(4.5, 7)
    let wallHeight = uniform(2, 3.5)

    var layout = SceneLayout(
      cameraPosition: SceneVector(0, cameraHeight, 0), cameraRotation: cameraRotation,
      wallDistance: wallDistance, wallHeight: wallHeight,
      floorColor: color(), wallColor: color(), backgroundColor: color(),
      floorTexture: texture(), wallTexture: texture(),
      lightPosition: SceneVector(uniform(-3, 3), uniform(2.5, 4.5), uniform(-0.5, wallDistance - 0.5)),
      ambient: uniform(0.15, 0.4), noiseStd: uniform(0, 1) * config.noise, objects: [])

    let wanted = config.minObjects + rng.nextInt(below: config.maxObjects - config.minObjects + 1)
    let halfTan = tanf(config.horizontalFieldOfView * degree / 2)
    var attempts = 0
    while layout.objects.count < wanted && attempts < 400 {
      attempts += 1
      var object = randomObject(using: &rng)
      // Position: forward distance along the camera's heading and a lateral offset inside ~75 % of
      // the horizontal field at that distance.
      let forward = uniform(1.8, wallDistance - 0.4)
      let lateral = uniform(-0.75, 0.75) * forward * halfTan
      let x = forward * sinf(yaw) + lateral * cosf(yaw)
      let z = forward * cosf(yaw) - lateral * sinf(yaw)
      object.center.x = x
      object.center.z = z
      guard z + object.footprint <= wallDistance - 0.05 else { continue }
      guard (x * x + z * z).squareRoot() >= 1.2 + object.footprint else { continue }
      let clear = layout.objects.allSatisfy { other in
        let dx = other.center.x - x, dz = other.center.z - z
        return (dx * dx + dz * dz).squareRoot() >= other.footprint + object.footprint + 0.05
      }
      guard clear else { continue }
      object.color = color()
      layout.objects.append(object)
    }
    return layout
  }

  /// An object of a uniformly drawn class with a random size and orientation, resting on the
  /// floor at the origin (its position and colour are set by the caller).
  private static func randomObject(using rng: inout RandomGenerator) -> SceneObject {
    @inline(__always) func uniform(_ lo: Float, _ hi: Float) -> Float { lo + (hi - lo) * rng.nextUniform() }
    let shape = SceneClass.objects[rng.nextInt(below: SceneClass.objects.count)]
    let yaw = SceneMatrix.yaw(uniform(0, 2 * .pi))
    var rotation = yaw
    let size: SceneVector
    let height: Float  // centre height above the floor
    let footprint: Float
    switch shape {
    case .sphere:
      let r = uniform(0.25, 0.6)
      size = SceneVector(r, r, r)
      height = r
      footprint = r
    case .box:
      size = SceneVector(uniform(0.2, 0.55), uniform(0.2, 0.55), uniform(0.2, 0.55))
      height = size.y
      footprint = (size.x * size.x + size.z * size.z).squareRoot()
    case .cylinder:
      if rng.nextUniform() < 0.4 {
        // Lying on its side: local y (the axis) turned to horizontal, then yawed.
        let r = uniform(0.15, 0.35), halfLength = uniform(0.25, 0.7)
        size = SceneVector(r, halfLength, r)
        rotation = yaw.times(SceneMatrix.roll(.pi / 2))
        height = r
        footprint = (r * r + halfLength * halfLength).squareRoot()
      } else {
        let r = uniform(0.15, 0.45), halfHeight = uniform(0.2, 0.7)
        size = SceneVector(r, halfHeight, r)
        height = halfHeight
        footprint = r
      }
    default:  // cone
      let r = uniform(0.2, 0.5), halfHeight = uniform(0.25, 0.7)
      size = SceneVector(r, halfHeight, r)
      height = halfHeight
      footprint = r
    }
    return SceneObject(
      shape: shape, center: SceneVector(0, height, 0), rotation: rotation, size: size, color: .zero,
      boundingRadius: shape == .sphere ? size.x : size.length, footprint: footprint)
  }
}

/// HSV (all in [0, 1]) to RGB.
func hsvToRGB(h: Float, s: Float, v: Float) -> SceneVector {
  let h6 = (h - h.rounded(.down)) * 6
  let i = Int(h6.rounded(.down)) % 6
  let f = h6 - h6.rounded(.down)
  let p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f))
  switch i {
  case 0: return SceneVector(v, t, p)
  case 1: return SceneVector(q, v, p)
  case 2: return SceneVector(p, v, t)
  case 3: return SceneVector(p, q, v)
  case 4: return SceneVector(t, p, v)
  default: return SceneVector(v, p, q)
  }
}
