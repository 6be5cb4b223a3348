import AuxEngine
import AuxTestSupport
import Foundation
import Testing

@testable import AuxData

/// A sample whose labels are functions of the pixel position, so that any geometric mismatch
/// between image and labels shows: image channel 0 = the pixel's id, `cls` = id (as a class
/// map), `depth` = 1 + id (mask 1 except pixel 0), `normal` = a unit vector with x = 0.6.
func coordinateSample(h: Int, w: Int) -> Sample {
  let ids = (0..<(h * w)).map(Float.init)
  let image = Tensor(shape: [2, h, w], scalars: ids + ids.map { -$0 })
  var normal = [Float](repeating: 0.6, count: h * w) + [Float](repeating: 0, count: h * w) + [Float](repeating: 0.8, count: h * w)
  normal[0] = 0
  normal[2 * h * w] = 0  // pixel 0 invalid
  var mask = [Float](repeating: 1, count: h * w)
  mask[0] = 0
  return Sample(
    image: image,
    labels: [
      "cls": Tensor(shape: [h, w], scalars: ids), "depth": Tensor(shape: [1, h, w], scalars: ids.map { $0 + 1 }),
      "normal": Tensor(shape: [3, h, w], scalars: normal), "item": Tensor([3]),
    ],
    masks: ["depth": Tensor(shape: [1, h, w], scalars: mask), "normal": Tensor(shape: [1, h, w], scalars: mask)])
}

let coordinateTasks = [
  TaskLabelSpec(name: "cls", kind: .denseClass(classes: 1000, ignoreIndex: -1)),
  TaskLabelSpec(name: "depth", kind: .denseRegression(channels: 1)),
  TaskLabelSpec(name: "normal", kind: .unitVector),
  TaskLabelSpec(name: "item", kind: .classIndex(classes: 10)),
]

@Suite("Augmentation")
struct AugmentationTests {
  @Test("random crop with padding moves image, labels and masks together and pads per kind")
  func cropConsistency() {
    let s = coordinateSample(h: 6, w: 7)
    var sawPadding = false
    for seed in 0..<40 {
      var rng = RandomGenerator(seed: UInt64(seed))
      let aug = Augmentation([.randomCrop(height: 5, width: 5, padding: 2, imagePadding: .constant(-7))])
      let o = aug.apply(to: s, tasks: coordinateTasks, using: &rng)
      #expect(o.image.shape == [2, 5, 5] && o.labels["cls"]!.shape == [5, 5] && o.masks["depth"]!.shape == [1, 5, 5])
      #expect(o.labels["item"]!.scalars == [3])
      for y in 0..<5 {
        for x in 0..<5 {
          let id = o.image[0, y, x]
          if id == -7 {
            sawPadding = true
            #expect(o.labels["cls"]![y, x] == -1)  // class maps pad with the ignore index
            #expect(o.masks["depth"]![0, y, x] == 0 && o.labels["depth"]![0, y, x] == 0)
            #expect(o.masks["normal"]![0, y, x] == 0)
          } else {
            #expect(o.labels["cls"]![y, x] == id)
            #expect(o.labels["depth"]![0, y, x] == id + 1)
            #expect(o.masks["depth"]![0, y, x] == (id == 0 ? 0 : 1))
          }
        }
      }
    }
    #expect(sawPadding)
  }

  @Test("reflect padding for the image, ignore index for classes")
  func reflectCrop() {
    let s = coordinateSample(h: 4, w: 4)
    var rng = RandomGenerator(seed: 1)
    // A window larger than the image: padded on the right and bottom only (Auto-Lambda).
    let o = Augmentation([.randomCrop(height: 6, width: 5, imagePadding: .reflect)]).apply(to: s, tasks: coordinateTasks, using: &rng)
    #expect(o.image[0, 0, 4] == s.image[0, 0, 2])  // reflect: column 4 reads column 2
    #expect(o.image[0, 5, 0] == s.image[0, 1, 0])  // row 5 reads row 1
    #expect(o.labels["cls"]![0, 4] == -1 && o.labels["cls"]![5, 0] == -1)
    #expect(o.labels["cls"]![3, 3] == 15)
  }

  @Test("horizontal flip mirrors everything and negates the x component of unit vectors")
  func flip() {
    let s = coordinateSample(h: 3, w: 4)
    var rng = RandomGenerator(seed: 0)
    let o = Augmentation([.horizontalFlip(probability: 1)]).apply(to: s, tasks: coordinateTasks, using: &rng)
    for y in 0..<3 {
      for x in 0..<4 {
        #expect(o.image[0, y, x] == s.image[0, y, 3 - x])
        #expect(o.labels["cls"]![y, x] == s.labels["cls"]![y, 3 - x])
        #expect(o.labels["normal"]![0, y, x] == -s.labels["normal"]![0, y, 3 - x])
        #expect(o.labels["normal"]![2, y, x] == s.labels["normal"]![2, y, 3 - x])
        #expect(o.masks["normal"]![0, y, x] == s.masks["normal"]![0, y, 3 - x])
      }
    }
    var never = RandomGenerator(seed: 0)
    let same = Augmentation([.horizontalFlip(probability: 0)]).apply(to: s, tasks: coordinateTasks, using: &never)
    #expect(same.image.scalars == s.image.scalars && same.labels["normal"]!.scalars == s.labels["normal"]!.scalars)
  }

  @Test("flip frequency follows the probability")
  func flipRate() {
    let s = coordinateSample(h: 2, w: 2)
    var rng = RandomGenerator(seed: 9)
    var flips = 0
    for _ in 0..<2000 {
      let o = Augmentation([.horizontalFlip(probability: 0.5)]).apply(to: s, tasks: coordinateTasks, using: &rng)
      if o.image[0, 0, 0] != 0 { flips += 1 }
    }
    #expect(abs(flips - 1000) < 120, "\(flips) flips in 2000")
  }

  @Test("scale crop: nearest labels, depth divided by s, disparity multiplied, normals stay unit")
  func scaleCrop() throws {
    let h = 12, w = 10
    let s = coordinateSample(h: h, w: w)
    var seenScales: Set<Float> = []
    let policies = ["depth": DenseLabelPolicy(interpolation: .nearest, padValue: 0, valueScaling: .divideByScale)]
    for seed in 0..<30 {
      var rng = RandomGenerator(seed: UInt64(seed))
      let o = Augmentation([.randomScaleCrop(scales: [1.0, 1.2, 1.5])]).apply(to: s, tasks: coordinateTasks, policies: policies, using: &rng)
      #expect(o.image.shape == [2, h, w] && o.labels["cls"]!.shape == [h, w])
      // Nearest labels take source pixel ids; depth = (id + 1) / s where valid.
      let cls = o.labels["cls"]!
      let depth = o.labels["depth"]!, dmask = o.masks["depth"]!
      var scale: Float?
      for y in 0..<h {
        for x in 0..<w {
          let id = cls[y, x]
          #expect(id == id.rounded() && id >= 0 && id < Float(h * w))
          if dmask[0, y, x] == 1 {
            let s = (id + 1) / depth[0, y, x]
            if let sc = scale { #expect(abs(sc - s) < 1e-4) } else { scale = s }
          } else {
            #expect(id == 0 && depth[0, y, x] == 1)  // invalid pixels keep their value
          }
        }
      }
      if let sc = scale { seenScales.insert((sc * 10).rounded() / 10) }
      // The image is a bilinear resample of the window: corners map to the window's corners, so
      // the top-left image value is the top-left label id (align_corners=True).
      #expect(o.image[0, 0, 0] == cls[0, 0] && o.image[0, h - 1, w - 1] == cls[h - 1, w - 1])
      let n = o.labels["normal"]!, nm = o.masks["normal"]!
      for y in 0..<h {
        for x in 0..<w where nm[0, y, x] == 1 {
          let len = (n[0, y, x] * n[0, y, x] + n[1, y, x] * n[1, y, x] + n[2, y, x] * n[2, y, x]).squareRoot()
          #expect(abs(len - 1) < 1e-5)
          #expect(abs(n[0, y, x] - 0.6) < 1e-5)
        }
      }
    }
    #expect(seenScales == [1.0, 1.2, 1.5])
    // Disparity is multiplied by the scale instead.
    let mult = ["depth": DenseLabelPolicy(interpolation: .nearest, padValue: -1, valueScaling: .multiplyByScale)]
    var found = false
    for seed in 0..<20 where !found {
      var rng = RandomGenerator(seed: UInt64(seed))
      let o = Augmentation([.randomScaleCrop(scales: [1.5])]).apply(to: s, tasks: coordinateTasks, policies: mult, using: &rng)
      let id = o.labels["cls"]![3, 3]
      if id != 0 {
        #expect(abs(o.labels["depth"]![0, 3, 3] - (id + 1) * 1.5) < 1e-4)
        found = true
      }
    }
    #expect(found)
  }

  @Test("the same generator state gives the same augmentation")
  func determinism() {
    let s = coordinateSample(h: 8, w: 8)
    let aug = Augmentation([.randomScaleCrop(scales: [1, 1.2, 1.5]), .randomCrop(height: 6, width: 6, padding: 1), .horizontalFlip()])
    var a = RandomGenerator(seed: 5), b = RandomGenerator(seed: 5)
    let x = aug.apply(to: s, tasks: coordinateTasks, using: &a)
    let y = aug.apply(to: s, tasks: coordinateTasks, using: &b)
    #expect(x.image.scalars == y.image.scalars && x.labels["normal"]!.scalars == y.labels["normal"]!.scalars)
  }

  @Test("normalisation: symmetric and mean/std, and the padding equal to black")
  func normalisation() {
    var x = Tensor(shape: [3, 1, 2], scalars: [0, 1, 0.5, 0.25, 1, 0])
    var y = x
    ImageNormalization.symmetric.apply(&x)
    #expect(x.scalars == [-1, 1, 0, -0.5, 1, -1])
    ImageNormalization.cifar100.apply(&y)
    #expect(abs(y[0, 0, 1] - (1 - 0.5071) / 0.2675) < 1e-6)
    guard case .perChannel(let pad) = ImageNormalization.cifar100.paddingForZero(channels: 3) else {
      Issue.record("expected per-channel padding")
      return
    }
    var black = Tensor(shape: [3, 1, 1], scalars: [0, 0, 0])
    ImageNormalization.cifar100.apply(&black)
    #expect(pad == black.scalars)
  }
}
