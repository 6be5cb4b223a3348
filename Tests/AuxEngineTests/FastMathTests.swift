import AuxEngine
import Foundation
import Testing

@Suite("FastMath exp and log")
struct FastMathTests {
  /// Distance in units in the last place between a Float and the exact (Double) value.
  static func ulps(_ a: Float, _ exact: Double) -> Double {
    let e = Float(exact)
    if a == e { return 0 }
    return Swift.abs(Double(a) - exact) / Double(e.ulp)
  }

  @Test("exp within 2 ulp on [−87, 88], exact special values")
  func exp() {
    var worst = 0.0
    var x: Float = -87
    while x < 88 {
      worst = Swift.max(worst, Self.ulps(FastMath.exp(x), Foundation.exp(Double(x))))
      x += 0.000_731
    }
    #expect(worst <= 2, "worst error \(worst) ulp")
    #expect(FastMath.exp(0) == 1)
    #expect(FastMath.exp(-100) == 0 && FastMath.exp(-.infinity) == 0)
    #expect(FastMath.exp(100) == .infinity && FastMath.exp(.infinity) == .infinity)
    #expect(FastMath.exp(.nan).isNaN)
  }

  @Test("log within 2 ulp over normal floats, exact special values")
  func log() {
    var worst = 0.0
    var x: Float = Float.leastNormalMagnitude
    while x < Float.greatestFiniteMagnitude / 1.001 {
      worst = Swift.max(worst, Self.ulps(FastMath.log(x), Foundation.log(Double(x))))
      x *= 1.000_31
    }
    for v in stride(from: Float(0.5), to: 2, by: 0.000_013) {
      worst = Swift.max(worst, Self.ulps(FastMath.log(v), Foundation.log(Double(v))))
    }
    #expect(worst <= 2, "worst error \(worst) ulp")
    #expect(FastMath.log(1) == 0)
    #expect(FastMath.log(0) == -.infinity && FastMath.log(.infinity) == .infinity)
    #expect(FastMath.log(-1).isNaN && FastMath.log(.nan).isNaN)
  }

  @Test("log1p is accurate for tiny arguments")
  func log1p() {
    var worst = 0.0
    var x: Float = 1e-30
    while x <= 1 {
      worst = Swift.max(worst, Self.ulps(FastMath.log1p(x), Foundation.log1p(Double(x))))
      x *= 1.003
    }
    #expect(worst <= 3, "worst error \(worst) ulp")
  }
}
