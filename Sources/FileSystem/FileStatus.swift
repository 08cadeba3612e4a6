/// What `lstat` says about one file: enough to tell whether it changed, what it is, and how many names it has.
package struct FileStatus: Sendable, Equatable, Hashable {
    package enum Kind: Sendable, Equatable, Hashable {
        case regular, directory, symbolicLink, fifo, socket, characterDevice, blockDevice, other
    }

    package var kind: Kind
    package var size: Int64
    package var modifiedNanoseconds: Int64
    package var changedNanoseconds: Int64
    package var inode: UInt64
    package var device: UInt64
    package var linkCount: Int

    package init(
        kind: Kind,
        size: Int64,
        modifiedNanoseconds: Int64,
        changedNanoseconds: Int64,
        inode: UInt64,
        device: UInt64,
        linkCount: Int
    ) {
        self.kind = kind
        self.size = size
        self.modifiedNanoseconds = modifiedNanoseconds
        self.changedNanoseconds = changedNanoseconds
        self.inode = inode
        self.device = device
        self.linkCount = linkCount
    }
}
