public import Foundation
public import GatehouseCore
public import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The audit log of SPEC §9: one JSON object a line with `time` (RFC 3339), `event`, `outcome`
/// and, where they apply, `client_id`, `subject`, `grant_id`, `address` and `reason`.
///
/// ``record(_:)`` only queues the line, so a request never waits for the disk; ``run()`` is a
/// service of the server's `ServiceGroup` that writes the queue and, on shutdown, drains it after
/// the HTTP server has stopped. Events carry no token, code, secret or password by construction
/// (``SecurityEvent``), and every value is JSON-escaped, so no request value can forge a line.
public final class AuditLogWriter: SecurityEventSink, Service {
    private let output: FileHandle
    /// Lines not yet written. ``record(_:)`` appends under a lock and wakes the writer only when
    /// the queue was empty, so under load many lines go out in one `write`, not one each.
    private let pending = Mutex<[String]>([])
    private let wakeUps: AsyncStream<Void>
    private let wakeUp: AsyncStream<Void>.Continuation

    /// Lines queued beyond this while the output is stuck are dropped, so memory stays bounded.
    static let queueLimit = 65_536

    public init(output: FileHandle) {
        self.output = output
        (wakeUps, wakeUp) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// The writer for an `audit_log` setting: `off` (none), `stderr`, `stdout` or a file path,
    /// appended to and created readable by its owner only.
    /// - Throws: ``AuditLogError`` when the file cannot be opened.
    public static func open(destination: String) throws -> AuditLogWriter? {
        switch destination {
        case "off": return nil
        case "stderr": return AuditLogWriter(output: .standardError)
        case "stdout": return AuditLogWriter(output: .standardOutput)
        default:
            let descriptor = Glibc.open(destination, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw AuditLogError(path: destination, reason: String(cString: strerror(errno))) }
            return AuditLogWriter(output: FileHandle(fileDescriptor: descriptor, closeOnDealloc: true))
        }
    }

    public func record(_ event: SecurityEvent) {
        let line = Self.line(for: event)
        let wasEmpty = pending.withLock { queue in
            guard queue.count < Self.queueLimit else { return false }
            queue.append(line)
            return queue.count == 1
        }
        if wasEmpty { wakeUp.yield() }
    }

    /// Writes the event at once, for commands that end right after (`gatehouse clients create`).
    public func recordNow(_ event: SecurityEvent) {
        output.write(Data((Self.line(for: event) + "\n").utf8))
    }

    public func run() async throws {
        let wakeUps = wakeUps
        let wakeUp = wakeUp
        await withGracefulShutdownHandler {
            for await _ in wakeUps {
                writePending()
            }
            writePending()
        } onGracefulShutdown: {
            // Ends the loop once the queued lines are written; the services that record events
            // shut down before this one.
            wakeUp.finish()
        }
    }

    /// Writes every queued line in one `write`.
    private func writePending() {
        let lines = pending.withLock { queue in
            defer { queue.removeAll(keepingCapacity: true) }
            return queue
        }
        guard !lines.isEmpty else { return }
        var text = lines.joined(separator: "\n")
        text.append("\n")
        output.write(Data(text.utf8))
    }

    /// One audit line, without its newline.
    public static func line(for event: SecurityEvent) -> String {
        var json = JSONWriter()
        json.add("time", RFC3339Time.string(event.time))
        json.add("event", event.kind.rawValue)
        json.add("outcome", event.outcome.rawValue)
        if let clientID = event.clientID { json.add("client_id", clientID) }
        if let subject = event.subject { json.add("subject", subject) }
        if let grantID = event.grantID { json.add("grant_id", grantID) }
        if let address = event.address { json.add("address", address) }
        if let reason = event.reason { json.add("reason", reason) }
        if let grantType = event.grantType { json.add("grant_type", grantType) }
        if let format = event.tokenFormat { json.add("format", format) }
        if let count = event.count { json.add("count", count) }
        return json.finish()
    }
}

/// The audit log file cannot be opened.
public struct AuditLogError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String

    public var description: String { "cannot open audit_log \(path): \(reason)" }
}
