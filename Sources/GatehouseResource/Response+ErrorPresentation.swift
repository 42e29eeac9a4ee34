package import GatehouseCore
import HTTPTypes
package import Hummingbird

extension Response {
    /// A Hummingbird response of an error presented by ``ErrorPresentation``, for the OAuth
    /// endpoints and the protected resources alike.
    package init(presenting rendered: ErrorPresentation.Rendered) {
        self.init(status: rendered.status, headers: rendered.headerFields, body: .init(byteBuffer: ByteBuffer(string: rendered.body)))
    }
}
