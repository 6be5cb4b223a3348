#if canImport(Glibc)
  import Glibc
#endif
import Synchronization

/// Ctrl-C handling for long commands: the first interrupt asks the training loop to stop at the
/// next step (the run stays resumable); a second one exits at once.
enum Interrupt {
  static let requested = Atomic<Bool>(false)

  /// Installs the SIGINT handler.
  static func install() {
    signal(SIGINT) { _ in
      if Interrupt.requested.exchange(true, ordering: .relaxed) {
        _exit(130)
      }
      let msg = "\ninterrupt: finishing the current step, then stopping (press Ctrl-C again to quit now)\n"
      _ = msg.withCString { write(2, $0, strlen($0)) }
    }
  }

  /// Whether an interrupt was requested.
  static var isRequested: Bool { requested.load(ordering: .relaxed) }
}
