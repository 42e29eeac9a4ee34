public import GatehouseCore

/// Hands every event to several sinks: the audit log and the metrics.
public struct SecurityEventFanOut: SecurityEventSink {
    let sinks: [any SecurityEventSink]

    public init(_ sinks: [any SecurityEventSink]) {
        self.sinks = sinks
    }

    public func record(_ event: SecurityEvent) {
        for sink in sinks { sink.record(event) }
    }
}
