public import Foundation
public import GatehouseCore

extension InMemoryStore: DeviceCodeStore {
    public func createDeviceAuthorization(_ authorization: DeviceAuthorization) async throws {
        try unit { state in
            let what = "a device authorization with this device or user code"
            guard state.deviceCodes[authorization.deviceCodeHash] == nil,
                !state.deviceCodes.values.contains(where: { $0.userCodeHash == authorization.userCodeHash })
            else { throw StoreError.duplicate(what) }
            try state.requireReferences(clientID: authorization.clientID, of: what)
            var stored = authorization
            stored.createdAt = authorization.createdAt.toTheSecond
            stored.expiresAt = authorization.expiresAt.toTheSecond
            stored.lastPolledAt = nil
            stored.status = .pending
            stored.grantID = nil
            stored.userID = nil
            stored.delegation = nil
            state.deviceCodes[authorization.deviceCodeHash] = stored
        }
    }

    public func pendingDeviceAuthorization(userCodeHash: String, at date: Date) async throws -> DeviceAuthorization? {
        read { state in
            state.deviceCodes.values.first {
                $0.userCodeHash == userCodeHash && $0.status == .pending && $0.expiresAt > date.toTheSecond
            }
        }
    }

    public func decideDeviceAuthorization(userCodeHash: String, decision: DeviceDecision, at date: Date) async throws -> Bool {
        try unit { state in
            guard
                let hash = state.deviceCodes.first(where: {
                    $0.value.userCodeHash == userCodeHash && $0.value.status == .pending && $0.value.expiresAt > date.toTheSecond
                })?.key
            else { return false }
            switch decision {
            case .approved(let userID, let scope, let grantID, let delegation):
                state.deviceCodes[hash]?.status = .approved
                state.deviceCodes[hash]?.userID = userID
                state.deviceCodes[hash]?.scope = scope
                state.deviceCodes[hash]?.grantID = grantID
                state.deviceCodes[hash]?.delegation = delegation
            case .denied:
                state.deviceCodes[hash]?.status = .denied
            }
            return true
        }
    }

    public func pollDeviceAuthorization(deviceCodeHash: String, clientID: String, at date: Date, slowDownBy: Int) async throws -> DevicePoll? {
        try unit { state in
            guard var row = state.deviceCodes[deviceCodeHash], row.clientID == clientID else { return nil }
            let now = date.toTheSecond
            let tooEarly =
                row.status == .pending && row.expiresAt > now
                && row.lastPolledAt.map { $0.addingTimeInterval(TimeInterval(row.interval)) > now } ?? false
            if tooEarly { row.interval += slowDownBy }
            row.lastPolledAt = now
            state.deviceCodes[deviceCodeHash] = row
            return DevicePoll(authorization: row, tooEarly: tooEarly)
        }
    }

    /// The compare-and-swap runs first; a failing insert leaves the request approved.
    public func redeemDeviceAuthorization(
        deviceCodeHash: String, clientID: String, grant: Grant, issuing tokens: IssuedTokens, at date: Date
    ) async throws -> Bool {
        try unit { state in
            guard let row = state.deviceCodes[deviceCodeHash], row.clientID == clientID, row.status == .approved,
                row.expiresAt > date.toTheSecond
            else { return false }
            state.deviceCodes[deviceCodeHash]?.status = .redeemed
            let what = "a grant with this id"
            guard state.grants[grant.id] == nil else { throw StoreError.duplicate(what) }
            try state.requireReferences(clientID: grant.clientID, of: what)
            var stored = grant
            stored.createdAt = grant.createdAt.toTheSecond
            stored.revokedAt = nil
            state.grants[grant.id] = stored
            try state.insert(tokens)
            return true
        }
    }
}
