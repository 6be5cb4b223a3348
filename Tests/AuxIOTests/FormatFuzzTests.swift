import AuxEngine
import AuxIO
import AuxTestSupport
import Foundation
import Testing

/// Random bytes, truncations and byte mutations of valid files, fed to every parser: each must
/// return or throw, never crash or hang. Seeded, so a failure reproduces.
@Suite("Format fuzzing")
struct FormatFuzzTests {
  enum Format: String, CaseIterable, CustomTestStringConvertible {
    case idx, png, tiff, npy, safetensors
    var testDescription: String { rawValue }

    func parse(_ data: Data) throws {
      switch self {
      case .idx: _ = try IDX.decode(data, file: "fuzz")
      case .png: _ = try PNGDecoder.decode(data, file: "fuzz")
      case .tiff: _ = try TIFFCodec.decode(data, file: "fuzz")
      case .npy: _ = try NPY.decode(data, file: "fuzz")
      case .safetensors: _ = try Safetensors.decode(data, file: "fuzz")
      }
    }

    /// Valid files of this format to truncate and mutate.
    func seeds() throws -> [Data] {
      let fx = Fixtures.directory
      func files(_ dir: String, _ names: [String]) throws -> [Data] {
        try names.map { try Data(contentsOf: fx.appendingPathComponent("\(dir)/\($0)")) }
      }
      switch self {
      case .idx:
        return try files("idx", ["u8-idx3", "f64-idx3", "i16-idx3.gz", "f32-idx3.gz"])
      case .png:
        return try files("png", ["gray8.png", "rgb16.png", "palette_trns.png", "rgb8_interlaced.png", "gray2.png"])
      case .tiff:
        return try files("tiff", ["int32_raw.tif", "int32_tiff_deflate.tif", "int32_tiff_lzw.tif", "int32_packbits.tif", "uint16.tif"])
      case .npy:
        return try files("npy", ["f4.npy", "f4_v2.npy", "f4_fortran.npy", "i8.npy", "scalar.npy"])
      case .safetensors:
        var a = SafetensorsArchive()
        a.tensors["w"] = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        a.tensors["b"] = Tensor([7, 8])
        a.dtypes["b"] = .i16
        a.metadata["k"] = "v"
        return [Safetensors.encode(a)]
      }
    }
  }

  @Test("random bytes, truncations and mutations only ever throw", arguments: Format.allCases)
  func fuzz(format: Format) throws {
    var rng = RandomGenerator(seed: 0xF022 &+ UInt64(format.rawValue.count))
    var parsed = 0, thrown = 0
    func run(_ d: Data) {
      do {
        try format.parse(d)
        parsed += 1
      } catch is FormatError {
        thrown += 1
      } catch {
        Issue.record("\(format) threw a non-FormatError: \(error)")
      }
    }
    // Pure noise, with and without the format's magic bytes in front.
    let seeds = try format.seeds()
    for i in 0..<150 {
      let n = rng.nextInt(below: 600)
      var d = Data((0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
      if i % 2 == 1, let s = seeds.first {
        d = s.prefix(min(8, s.count)) + d
      }
      run(d)
    }
    for seed in seeds {
      // Every truncation point for small files, a sample of them otherwise.
      let cuts = seed.count <= 400 ? Array(0..<seed.count) : (0..<300).map { _ in rng.nextInt(below: seed.count) }
      for cut in cuts { run(seed.prefix(cut)) }
      // Byte mutations: 1 to 4 random bytes replaced.
      for _ in 0..<150 {
        var d = seed
        for _ in 0..<(1 + rng.nextInt(below: 4)) {
          d[rng.nextInt(below: d.count)] = UInt8(truncatingIfNeeded: rng.next())
        }
        run(d)
      }
      // The intact file parses.
      #expect(throws: Never.self) { try format.parse(seed) }
    }
    #expect(thrown > 0)
  }

  @Test("header fields announcing huge arrays throw instead of overflowing")
  func hugeShapes() throws {
    let npyHeader = "{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904,), }"
    var npy = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(npyHeader.utf8.count), 0])
    npy.append(Data(npyHeader.utf8))
    #expect(throws: FormatError.self) { try NPY.decode(npy, file: "huge.npy") }
    let st = "{\"w\":{\"dtype\":\"F64\",\"shape\":[4611686018427387904],\"data_offsets\":[0,8]}}"
    var safetensors = Data()
    var n = UInt64(st.utf8.count).littleEndian
    withUnsafeBytes(of: &n) { safetensors.append(contentsOf: $0) }
    safetensors.append(Data(st.utf8))
    safetensors.append(Data(count: 8))
    #expect(throws: FormatError.self) { try Safetensors.decode(safetensors, file: "huge.safetensors") }
  }
}
