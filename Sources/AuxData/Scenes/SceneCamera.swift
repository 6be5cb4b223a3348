/// The pinhole camera of a `scenes` image: square pixels, principal point at the image centre.
///
/// Pixel `(u, v)` (column, row, from the top left) has its centre at `(u + 0.5, v + 0.5)`; its
/// ray in the camera frame (x right, y down, z forward) is
/// `((u + 0.5 − cx) / f, (v + 0.5 − cy) / f, 1)`. A point at z-depth `d` on that ray is
/// `d · ((u + 0.5 − cx) / f, (v + 0.5 − cy) / f, 1)`; this back-projects the `depth` label.
public struct SceneCamera: Sendable, Equatable {
  /// Image width and height in pixels.
  public let width: Int, height: Int
  /// Focal length in pixels (`fx = fy`).
  public let focalLength: Float
  /// Principal point in pixels (`width / 2`, `height / 2`).
  public let cx: Float, cy: Float

  /// The camera for an image size and a horizontal field of view in degrees.
  public init(width: Int, height: Int, horizontalFieldOfView: Float) {
    self.width = width
    self.height = height
    self.focalLength = Float(width) / 2 / tanf(horizontalFieldOfView * .pi / 360)
    self.cx = Float(width) / 2
    self.cy = Float(height) / 2
  }

  /// The camera-frame point (x right, y down, z forward) seen at pixel `(u, v)` at z-depth
  /// `depth`.
  public func backProject(u: Int, v: Int, depth: Float) -> (x: Float, y: Float, z: Float) {
    (depth * (Float(u) + 0.5 - cx) / focalLength, depth * (Float(v) + 0.5 - cy) / focalLength, depth)
  }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
