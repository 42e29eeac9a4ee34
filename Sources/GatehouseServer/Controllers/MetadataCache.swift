import Foundation
import Synchronization

/// The last metadata document and until when it may be served.
final class MetadataCache: Sendable {
    private let entry = Mutex<(json: String, until: Date)?>(nil)

    func document(at date: Date) -> String? {
        entry.withLock { entry in
            guard let entry, date < entry.until else { return nil }
            return entry.json
        }
    }

    func store(_ json: String, until: Date) {
        entry.withLock { $0 = (json, until) }
    }
}
