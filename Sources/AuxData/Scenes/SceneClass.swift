/// The semantic classes of the `scenes` benchmark (the values of its `semantic` label).
public enum SceneClass: Int, CaseIterable, Sendable, CustomStringConvertible {
  /// Nothing hit (the sky above the back wall).
  case background = 0
  /// The floor plane.
  case floor = 1
  /// The back wall.
  case wall = 2
  /// A sphere resting on the floor.
  case sphere = 3
  /// A box (cuboid) resting on the floor, turned about the vertical axis.
  case box = 4
  /// A cylinder standing upright or lying on its side, turned about the vertical axis.
  case cylinder = 5
  /// A cone standing on its base.
  case cone = 6

  /// The object classes, drawn uniformly for each object.
  public static let objects: [SceneClass] = [.sphere, .box, .cylinder, .cone]

  public var description: String {
    switch self {
    case .background: "background"
    case .floor: "floor"
    case .wall: "wall"
    case .sphere: "sphere"
    case .box: "box"
    case .cylinder: "cylinder"
    case .cone: "cone"
    }
  }
}
