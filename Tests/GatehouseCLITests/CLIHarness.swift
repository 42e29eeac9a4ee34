import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

#if canImport(Glibc)
    import Glibc
#endif

/// Runs the real `gatehouse` executable, as a user would.
enum CLI {
    /// The binary SwiftPM built beside this test bundle, or `GATEHOUSE_BIN`.
    static let binary: URL = {
        if let path = ProcessInfo.processInfo.environment["GATEHOUSE_BIN"] {
            return URL(fileURLWithPath: path)
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("gatehouse")
    }()

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs one command to completion in `directory`.
    static func run(
        _ arguments: [String],
        environment: [String: String] = [:],
        stdin: String? = nil,
        in directory: URL
    ) throws -> Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = baseEnvironment.merging(environment) { $1 }
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self)
        )
    }

    /// ``run(_:environment:stdin:in:)`` on a thread of its own, for async tests.
    static func launch(
        _ arguments: [String],
        environment: [String: String] = [:],
        stdin: String? = nil,
        in directory: URL
    ) async throws -> Result {
        try await onOwnThread { try run(arguments, environment: environment, stdin: stdin, in: directory) }
    }

    /// Runs a bash `script` of the guide with the built `gatehouse` first on `PATH`, on a thread of
    /// its own (see ``onOwnThread(_:)``).
    static func script(_ script: String, environment: [String: String] = [:], in directory: URL) async throws -> Result {
        try await onOwnThread {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["-c", script]
            process.currentDirectoryURL = directory
            var merged = baseEnvironment.merging(environment) { $1 }
            merged["PATH"] = binary.deletingLastPathComponent().path + ":" + (merged["PATH"] ?? "/usr/bin:/bin")
            process.environment = merged
            let out = Pipe()
            let err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            let stdout = out.fileHandleForReading.readDataToEndOfFile()
            let stderr = err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return Result(
                status: process.terminationStatus,
                stdout: String(decoding: stdout, as: UTF8.self),
                stderr: String(decoding: stderr, as: UTF8.self)
            )
        }
    }

    /// The environment without any `GATEHOUSE_*` variable of the developer's shell.
    static var baseEnvironment: [String: String] {
        ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GATEHOUSE_") }
    }

    /// A fresh working directory.
    static func makeDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }
}

/// Runs blocking `body` on a thread of its own and awaits its result.
///
/// Tests run on Swift's cooperative pool, one thread per core: a test blocked there waiting for a
/// process stalls every other test's async work, timers included, for as long, so that tests
/// measuring seconds fail and the whole run slows down; and a command waiting for PostgreSQL's
/// migration lock, held by another test of this process that needs a pool thread to let go,
/// would wait for good.
func onOwnThread<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Swift.Result { try body() }) }.start()
    }
}

/// A `gatehouse serve` process on a free port of 127.0.0.1.
final class ServeProcess {
    let process = Process()
    let port: Int
    var baseURL: String { "http://127.0.0.1:\(port)" }

    init(arguments: [String] = [], environment: [String: String] = [:], in directory: URL) throws {
        port = try freePort()
        process.executableURL = CLI.binary
        process.arguments = ["serve", "--port", String(port)] + arguments
        process.currentDirectoryURL = directory
        process.environment = CLI.baseEnvironment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// Waits until `/healthz` answers, polling for at most `timeout` seconds.
    func waitUntilReady(timeout: TimeInterval = 20) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if process.isRunning == false { throw HarnessError("gatehouse serve exited with \(process.terminationStatus)") }
            if let response = try? await HTTP.send("GET", "\(baseURL)/healthz"), response.status == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError("gatehouse serve did not become ready")
    }

    /// Stops the server with SIGTERM (a graceful shutdown) or SIGKILL.
    func stop(signal: Int32 = SIGTERM) {
        if process.isRunning {
            kill(process.processIdentifier, signal)
        }
        process.waitUntilExit()
    }

    deinit { stop(signal: SIGKILL) }
}

/// An example app of `Examples/`, built beside `gatehouse`, run as its own process on a port of
/// 127.0.0.1 (a free one unless given).
final class ExampleProcess {
    let process = Process()
    let port: Int
    var baseURL: String { "http://127.0.0.1:\(port)" }

    init(_ product: String, port: Int? = nil, arguments: [String]) throws {
        self.port = try port ?? freePort()
        process.executableURL = CLI.binary.deletingLastPathComponent().appendingPathComponent(product)
        process.arguments = ["--port", String(self.port)] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// Waits until `/healthz` answers, polling for at most `timeout` seconds.
    func waitUntilReady(timeout: TimeInterval = 20) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        let name = process.executableURL?.lastPathComponent ?? "the example"
        while Date() < deadline {
            if !process.isRunning { throw HarnessError("\(name) exited with \(process.terminationStatus)") }
            if let response = try? await HTTP.send("GET", "\(baseURL)/healthz"), response.status == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError("\(name) did not become ready")
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A minimal HTTP client over URLSession.
enum HTTP {
    struct Response {
        let status: Int
        let headers: [String: String]
        let body: Data

        func header(_ name: String) -> String? {
            headers.first { $0.key.lowercased() == name.lowercased() }?.value
        }

        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
        }
    }

    static func send(_ method: String, _ url: String, headers: [String: String] = [:], body: String? = nil) async throws -> Response {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        var fields: [String: String] = [:]
        for header in response.headers { fields[header.name] = header.value }
        return Response(status: Int(response.status.code), headers: fields, body: Data(bytes.readableBytesView))
    }

    static func basic(_ id: String, _ secret: String) -> String {
        "Basic " + Data("\(id):\(secret)".utf8).base64EncodedString()
    }
}

/// A port that is free right now, below Linux's ephemeral range (32768 and up): the servers
/// other tests of this process start on port 0 get ephemeral ports, and one of them took the
/// port the kernel had just handed out here before the child process bound it.
func freePort() throws -> Int {
    for _ in 0..<100 {
        let port = Int.random(in: 20000..<32000)
        if try isBindable(port) { return port }
    }
    throw HarnessError("no free port between 20000 and 32000")
}

private func isBindable(_ port: Int) throws -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw HarnessError("socket failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    return bound == 0
}
