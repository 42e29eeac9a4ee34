import GatehouseCore
import GatehouseResource
import HTTPTypes
import Hummingbird

/// `GET /api/me`: who the bearer token speaks for (SPEC §4).
enum MeController {
    static func me(context: GatehouseRequestContext) -> Response {
        var json = JSONWriter()
        if let claims = context.accessToken {
            json.add("sub", claims.subject)
            if let username = claims.username { json.add("username", username) }
            json.add("client_id", claims.clientID)
            json.add("scope", claims.scope.description)
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: json.finish())))
    }
}
