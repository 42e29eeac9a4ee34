import Foundation
import Histogram
import NIOCore
import NIOHTTP1

/// When a connection sends. Closed loop: the next flow as soon as the previous one answered (peak
/// throughput, like wrk). Open loop: flow `j` of connection `k` is due at `first + j × interval`
/// whether or not the server kept up, and its latency counts from that due time, as wrk2 does, so
/// that a stalled server shows in the percentiles instead of silently lowering the send rate
/// (coordinated omission).
struct Schedule: Sendable {
    enum Mode: Sendable {
        case closed
        case open(first: NIODeadline, interval: TimeAmount)
    }

    var mode: Mode
    /// Responses completing from here to `end` are counted.
    var measureStart: NIODeadline
    var end: NIODeadline
    /// Stop after this many flows (a pre-check sends one).
    var maximumFlows: Int = .max
}

/// What one connection saw in the measured window.
struct ConnectionRecord: Sendable {
    /// Microseconds; per request in the closed loop, per flow from its due time in the open loop.
    var latency = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: .three)
    var requests = 0
    var flows = 0
    var failed = 0
    /// Flows started at all, measured or not.
    var flowsStarted = 0
    var itemsExhausted = false
    var connectionError: String?
    /// The first unexpected answer, to say what went wrong.
    var failureSample: String?

    mutating func merge(_ other: ConnectionRecord) {
        latency.add(other.latency)
        requests += other.requests
        flows += other.flows
        failed += other.failed
        flowsStarted += other.flowsStarted
        itemsExhausted = itemsExhausted || other.itemsExhausted
        connectionError = connectionError ?? other.connectionError
        failureSample = failureSample ?? other.failureSample
    }
}

/// One keep-alive HTTP/1.1 connection running a scenario's flows, all on its event loop: a response
/// triggers the next request without leaving the loop, so the driver's own cost per request stays
/// near wrk's.
final class LoadConnection: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let plan: RequestPlan
    private let schedule: Schedule
    private let finished: EventLoopPromise<ConnectionRecord>
    private var record = ConnectionRecord()
    private var context: ChannelHandlerContext?
    private var isDone = false

    private var step = 0
    private var values: [String: String] = [:]
    private var flowDueAt = NIODeadline.uptimeNanoseconds(0)
    private var requestSentAt = NIODeadline.uptimeNanoseconds(0)
    private var flowIndex: Int64 = 0
    private var status = 0
    private var location: String?
    private var body = ByteBuffer()

    init(plan: RequestPlan, schedule: Schedule, finished: EventLoopPromise<ConnectionRecord>) {
        self.plan = plan
        self.schedule = schedule
        self.finished = finished
    }

    func channelActive(context: ChannelHandlerContext) {
        self.context = context
        switch schedule.mode {
        case .closed: startFlow(dueAt: .now())
        case .open: scheduleNextFlow()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !isDone {
            record.connectionError = record.connectionError ?? "the server closed the connection"
            finish(closing: false)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        record.connectionError = record.connectionError ?? "\(error)"
        finish(closing: true)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
            location = head.headers.first(name: "location")
            body.clear()
        case .body(var chunk):
            body.writeBuffer(&chunk)
        case .end:
            responseEnded()
        }
    }

    private func responseEnded() {
        let now = NIODeadline.now()
        let counted = now >= schedule.measureStart && now < schedule.end
        let current = plan.steps[step]
        var failure: String?
        if status != current.expectStatus {
            failure = "expected \(current.expectStatus)"
        } else if let expected = current.expectBody, !String(buffer: body).contains(expected) {
            failure = "expected a body with \(expected)"
        } else if current.expectEmptyBody, body.readableBytes > 0 {
            failure = "expected an empty body"
        } else if let name = current.captureFromLocation {
            if let value = location.flatMap({ Self.queryParameter(name, in: $0) }) {
                values[name] = value
            } else {
                failure = "expected a Location with \(name)"
            }
        }
        if counted {
            record.requests += 1
            if case .closed = schedule.mode { _ = record.latency.record(Self.microseconds(now - requestSentAt)) }
        }
        if let failure {
            if counted { record.failed += 1 }
            if record.failureSample == nil {
                record.failureSample =
                    "\(current.method) \(current.path.render(values)): \(failure), got \(status) \(location ?? "") \(String(buffer: body).prefix(300))"
            }
            flowEnded()
            return
        }
        if step + 1 < plan.steps.count {
            step += 1
            send()
            return
        }
        if counted {
            record.flows += 1
            if case .open = schedule.mode { _ = record.latency.record(Self.microseconds(now - flowDueAt)) }
        }
        flowEnded()
    }

    private func flowEnded() {
        switch schedule.mode {
        case .closed: startFlow(dueAt: .now())
        case .open: scheduleNextFlow()
        }
    }

    private func scheduleNextFlow() {
        guard case .open(let first, let interval) = schedule.mode, let context else { return }
        let due = first + TimeAmount.nanoseconds(interval.nanoseconds * flowIndex)
        flowIndex += 1
        if due >= schedule.end {
            finish(closing: true)
        } else if due <= .now() {
            startFlow(dueAt: due)
        } else {
            context.eventLoop.assumeIsolated().scheduleTask(deadline: due) { self.startFlow(dueAt: due) }
        }
    }

    private func startFlow(dueAt: NIODeadline) {
        guard !isDone else { return }
        if dueAt >= schedule.end || record.flowsStarted >= schedule.maximumFlows {
            finish(closing: true)
            return
        }
        values.removeAll(keepingCapacity: true)
        if plan.usesItems {
            guard let item = plan.nextItem() else {
                record.itemsExhausted = true
                finish(closing: true)
                return
            }
            values["item"] = item
        }
        record.flowsStarted += 1
        flowDueAt = dueAt
        step = 0
        send()
    }

    private func send() {
        guard let context else { return }
        let current = plan.steps[step]
        var headers = current.headers
        var bodyBuffer: ByteBuffer?
        if let template = current.body {
            let buffer = context.channel.allocator.buffer(string: template.render(values))
            headers.add(name: "Content-Length", value: String(buffer.readableBytes))
            bodyBuffer = buffer
        }
        let head = HTTPRequestHead(version: .http1_1, method: current.method, uri: current.path.render(values), headers: headers)
        requestSentAt = .now()
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let bodyBuffer { context.write(wrapOutboundOut(.body(.byteBuffer(bodyBuffer))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    private func finish(closing: Bool) {
        guard !isDone else { return }
        isDone = true
        finished.succeed(record)
        if closing { context?.close(promise: nil) }
    }

    static func microseconds(_ amount: TimeAmount) -> UInt64 {
        UInt64(max(1, amount.nanoseconds / 1000))
    }

    static func queryParameter(_ name: String, in location: String) -> String? {
        guard let query = location.split(separator: "?", maxSplits: 1).dropFirst().first else { return nil }
        for pair in query.split(separator: "&") where pair.hasPrefix(name + "=") {
            return String(pair.dropFirst(name.count + 1))
        }
        return nil
    }
}
