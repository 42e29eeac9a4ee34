import Foundation
import GatehouseCore
import GatehouseServer

extension Settings {
    /// Writes one event of an administrative command to `audit_log` (SPEC §9) at once: the
    /// command ends right after. A log that cannot be opened is reported, not fatal: the change
    /// itself is already committed.
    func audit(_ kind: SecurityEvent.Kind, clientID: String? = nil) {
        do {
            try AuditLogWriter.open(destination: auditLog)?.recordNow(SecurityEvent(kind, time: Date(), clientID: clientID))
        } catch {
            FileHandle.standardError.write(Data("gatehouse: warning: \(error)\n".utf8))
        }
    }
}
