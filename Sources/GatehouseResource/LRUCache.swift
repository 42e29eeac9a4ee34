/// A bounded map that forgets the least recently used entry when full, in O(1) per operation.
///
/// Not thread-safe: the verifiers keep it in a `Mutex`.
struct LRUCache<Key: Hashable, Value> {
    private struct Node {
        var key: Key
        var value: Value
        var previous: Int?
        var next: Int?
    }

    let capacity: Int
    private var nodes: [Node] = []
    private var indices: [Key: Int] = [:]
    /// Most recently used.
    private var head: Int?
    /// Least recently used: the next to go.
    private var tail: Int?

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
    }

    var count: Int { indices.count }

    /// The value for `key`, which becomes the most recently used.
    mutating func value(for key: Key) -> Value? {
        guard let index = indices[key] else { return nil }
        moveToFront(index)
        return nodes[index].value
    }

    mutating func set(_ value: Value, for key: Key) {
        if let index = indices[key] {
            nodes[index].value = value
            moveToFront(index)
            return
        }
        let index: Int
        if nodes.count < capacity {
            nodes.append(Node(key: key, value: value))
            index = nodes.count - 1
        } else if let last = tail {
            // Reuse the least recently used slot.
            unlink(last)
            indices[nodes[last].key] = nil
            nodes[last] = Node(key: key, value: value)
            index = last
        } else {
            return
        }
        indices[key] = index
        linkAtFront(index)
    }

    private mutating func moveToFront(_ index: Int) {
        guard head != index else { return }
        unlink(index)
        linkAtFront(index)
    }

    private mutating func unlink(_ index: Int) {
        let previous = nodes[index].previous
        let next = nodes[index].next
        if let previous { nodes[previous].next = next } else { head = next }
        if let next { nodes[next].previous = previous } else { tail = previous }
        nodes[index].previous = nil
        nodes[index].next = nil
    }

    private mutating func linkAtFront(_ index: Int) {
        nodes[index].next = head
        if let head { nodes[head].previous = index }
        head = index
        if tail == nil { tail = index }
    }
}
