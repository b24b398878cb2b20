using System.Runtime.InteropServices;

namespace ManagedCephFuse.FuseFs.Kernel.Abi;

// struct fuse_* from include/uapi/linux/fuse.h (7.45), field for field, in kernel order; see FuseConstants.cs for
// the naming rule. Sizes are asserted by the tests against the C header compiled with gcc. All of these are
// blittable and are read and written in place in the request and reply buffers.


/// <summary>struct fuse_attr (88 bytes): the attributes the kernel caches for an inode.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseAttr
{
    public ulong Ino;
    public ulong Size;
    /// <summary>Allocated 512-byte blocks.</summary>
    public ulong Blocks;
    public ulong Atime;
    public ulong Mtime;
    public ulong Ctime;
    public uint AtimeNsec;
    public uint MtimeNsec;
    public uint CtimeNsec;
    /// <summary>File type and permission bits (S_IFMT | 07777).</summary>
    public uint Mode;
    public uint Nlink;
    public uint Uid;
    public uint Gid;
    /// <summary>Device number in the kernel's new_encode_dev form (for a character or block device).</summary>
    public uint Rdev;
    public uint Blksize;
    public FuseAttrFlags Flags;
}

/// <summary>struct fuse_sx_time (16 bytes, 7.39): a statx timestamp.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseSxTime
{
    public long TvSec;
    public uint TvNsec;
    public int Reserved;
}

/// <summary>struct fuse_statx (256 bytes, 7.39): bit-for-bit the statx(2) struct.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FuseStatx
{
    public uint Mask;
    public uint Blksize;
    public ulong Attributes;
    public uint Nlink;
    public uint Uid;
    public uint Gid;
    public ushort Mode;
    public fixed ushort Spare0[1];
    public ulong Ino;
    public ulong Size;
    public ulong Blocks;
    public ulong AttributesMask;
    public FuseSxTime Atime;
    public FuseSxTime Btime;
    public FuseSxTime Ctime;
    public FuseSxTime Mtime;
    public uint RdevMajor;
    public uint RdevMinor;
    public uint DevMajor;
    public uint DevMinor;
    public fixed ulong Spare2[14];
}

/// <summary>struct fuse_kstatfs (80 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FuseKstatfs
{
    public ulong Blocks;
    public ulong Bfree;
    public ulong Bavail;
    public ulong Files;
    public ulong Ffree;
    public uint Bsize;
    public uint Namelen;
    public uint Frsize;
    public uint Padding;
    public fixed uint Spare[6];
}

/// <summary>struct fuse_file_lock (24 bytes): a POSIX byte-range lock; End is inclusive (OFFSET_MAX = to EOF).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseFileLock
{
    public ulong Start;
    public ulong End;
    /// <summary>F_RDLCK (0), F_WRLCK (1) or F_UNLCK (2).</summary>
    public uint Type;
    /// <summary>The tgid of the lock holder.</summary>
    public uint Pid;
}

/// <summary>struct fuse_entry_out (128 bytes): the reply of LOOKUP, MKNOD, MKDIR, SYMLINK, LINK and CREATE.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseEntryOut
{
    /// <summary>The inode's node ID; the reply gives the kernel one lookup reference on it.</summary>
    public ulong NodeId;
    /// <summary>NodeId:Generation must be unique over the file system's lifetime.</summary>
    public ulong Generation;
    /// <summary>Cache timeout for the name, seconds.</summary>
    public ulong EntryValid;
    /// <summary>Cache timeout for the attributes, seconds.</summary>
    public ulong AttrValid;
    public uint EntryValidNsec;
    public uint AttrValidNsec;
    public FuseAttr Attr;
}

/// <summary>struct fuse_forget_in (8 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseForgetIn
{
    public ulong Nlookup;
}

/// <summary>struct fuse_forget_one (16 bytes): one node of a BATCH_FORGET.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseForgetOne
{
    public ulong NodeId;
    public ulong Nlookup;
}

/// <summary>struct fuse_batch_forget_in (8 bytes), followed by Count fuse_forget_one.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseBatchForgetIn
{
    public uint Count;
    public uint Dummy;
}

/// <summary>struct fuse_getattr_in (16 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseGetattrIn
{
    public FuseGetAttrFlags GetattrFlags;
    public uint Dummy;
    public ulong Fh;
}

/// <summary>struct fuse_attr_out (104 bytes): the reply of GETATTR and SETATTR.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseAttrOut
{
    /// <summary>Cache timeout for the attributes, seconds.</summary>
    public ulong AttrValid;
    public uint AttrValidNsec;
    public uint Dummy;
    public FuseAttr Attr;
}

/// <summary>struct fuse_statx_in (24 bytes, 7.39).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseStatxIn
{
    public FuseGetAttrFlags GetattrFlags;
    public uint Reserved;
    public ulong Fh;
    /// <summary>AT_STATX_* sync flags of the caller.</summary>
    public uint SxFlags;
    /// <summary>STATX_* fields the caller asked for.</summary>
    public uint SxMask;
}

/// <summary>struct fuse_statx_out (288 bytes, 7.39).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FuseStatxOut
{
    public ulong AttrValid;
    public uint AttrValidNsec;
    public uint Flags;
    public fixed ulong Spare[2];
    public FuseStatx Stat;
}

/// <summary>struct fuse_mknod_in (16 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseMknodIn
{
    public uint Mode;
    public uint Rdev;
    public uint Umask;
    public uint Padding;
}

/// <summary>struct fuse_mkdir_in (8 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseMkdirIn
{
    public uint Mode;
    public uint Umask;
}

/// <summary>struct fuse_rename_in (8 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseRenameIn
{
    public ulong Newdir;
}

/// <summary>struct fuse_rename2_in (16 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseRename2In
{
    public ulong Newdir;
    /// <summary>RENAME_NOREPLACE (1), RENAME_EXCHANGE (2), RENAME_WHITEOUT (4).</summary>
    public uint Flags;
    public uint Padding;
}

/// <summary>struct fuse_link_in (8 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseLinkIn
{
    public ulong Oldnodeid;
}

/// <summary>struct fuse_setattr_in (88 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseSetattrIn
{
    public FuseSetAttrValid Valid;
    public uint Padding;
    public ulong Fh;
    public ulong Size;
    public ulong LockOwner;
    public ulong Atime;
    public ulong Mtime;
    public ulong Ctime;
    public uint AtimeNsec;
    public uint MtimeNsec;
    public uint CtimeNsec;
    public uint Mode;
    public uint Unused4;
    public uint Uid;
    public uint Gid;
    public uint Unused5;
}

/// <summary>struct fuse_open_in (8 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseOpenIn
{
    /// <summary>open(2) flags (O_RDONLY, O_TRUNC, …; O_CREAT/O_EXCL/O_NOCTTY are removed by the kernel).</summary>
    public uint Flags;
    public FuseOpenInFlags OpenFlags;
}

/// <summary>struct fuse_create_in (16 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseCreateIn
{
    public uint Flags;
    public uint Mode;
    public uint Umask;
    public FuseOpenInFlags OpenFlags;
}

/// <summary>struct fuse_open_out (16 bytes): the reply of OPEN, OPENDIR and (second half) CREATE.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseOpenOut
{
    /// <summary>The file handle the kernel passes back in every request on this open file.</summary>
    public ulong Fh;
    public FuseOpenOutFlags OpenFlags;
    /// <summary>(7.40; was padding) The backing file of a passthrough open.</summary>
    public int BackingId;
}

/// <summary>struct fuse_release_in (24 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseReleaseIn
{
    public ulong Fh;
    public uint Flags;
    public FuseReleaseFlags ReleaseFlags;
    public ulong LockOwner;
}

/// <summary>struct fuse_flush_in (24 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseFlushIn
{
    public ulong Fh;
    public uint Unused;
    public uint Padding;
    public ulong LockOwner;
}

/// <summary>struct fuse_read_in (40 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseReadIn
{
    public ulong Fh;
    public ulong Offset;
    public uint Size;
    public FuseReadFlags ReadFlags;
    public ulong LockOwner;
    public uint Flags;
    public uint Padding;
}

/// <summary>struct fuse_write_in (40 bytes), followed by the data.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseWriteIn
{
    public ulong Fh;
    public ulong Offset;
    public uint Size;
    public FuseWriteFlags WriteFlags;
    public ulong LockOwner;
    public uint Flags;
    public uint Padding;
}

/// <summary>struct fuse_write_out (8 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseWriteOut
{
    public uint Size;
    public uint Padding;
}

/// <summary>struct fuse_statfs_out (80 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseStatfsOut
{
    public FuseKstatfs St;
}

/// <summary>struct fuse_fsync_in (16 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseFsyncIn
{
    public ulong Fh;
    public FuseFsyncFlags FsyncFlags;
    public uint Padding;
}

/// <summary>struct fuse_setxattr_in (16 bytes with SETXATTR_EXT, else the first 8).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseSetxattrIn
{
    public uint Size;
    /// <summary>XATTR_CREATE (1) / XATTR_REPLACE (2).</summary>
    public uint Flags;
    public FuseSetxattrFlags SetxattrFlags;
    public uint Padding;
}

/// <summary>struct fuse_getxattr_in (8 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseGetxattrIn
{
    public uint Size;
    public uint Padding;
}

/// <summary>struct fuse_getxattr_out (8 bytes): the size answer of GETXATTR/LISTXATTR when asked with size 0.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseGetxattrOut
{
    public uint Size;
    public uint Padding;
}

/// <summary>struct fuse_lk_in (48 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseLkIn
{
    public ulong Fh;
    public ulong Owner;
    public FuseFileLock Lk;
    public FuseLkFlags LkFlags;
    public uint Padding;
}

/// <summary>struct fuse_lk_out (24 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseLkOut
{
    public FuseFileLock Lk;
}

/// <summary>struct fuse_access_in (8 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseAccessIn
{
    /// <summary>R_OK (4) | W_OK (2) | X_OK (1), or F_OK (0).</summary>
    public uint Mask;
    public uint Padding;
}

/// <summary>struct fuse_init_in (64 bytes; 16 before 7.36).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FuseInitIn
{
    public uint Major;
    public uint Minor;
    public uint MaxReadahead;
    public uint Flags;
    public uint Flags2;
    public fixed uint Unused[11];
}

/// <summary>struct fuse_init_out (64 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FuseInitOut
{
    public uint Major;
    public uint Minor;
    public uint MaxReadahead;
    public uint Flags;
    public ushort MaxBackground;
    public ushort CongestionThreshold;
    public uint MaxWrite;
    public uint TimeGran;
    public ushort MaxPages;
    public ushort MapAlignment;
    public uint Flags2;
    /// <summary>(7.40)</summary>
    public uint MaxStackDepth;
    /// <summary>(7.43)</summary>
    public ushort RequestTimeout;
    public fixed ushort Unused[11];
}

/// <summary>struct cuse_init_in (16 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CuseInitIn
{
    public uint Major;
    public uint Minor;
    public uint Unused;
    public uint Flags;
}

/// <summary>struct cuse_init_out (72 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CuseInitOut
{
    public uint Major;
    public uint Minor;
    public uint Unused;
    public uint Flags;
    public uint MaxRead;
    public uint MaxWrite;
    public uint DevMajor;
    public uint DevMinor;
    public fixed uint Spare[10];
}

/// <summary>struct fuse_interrupt_in (8 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseInterruptIn
{
    public ulong Unique;
}

/// <summary>struct fuse_bmap_in (16 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseBmapIn
{
    public ulong Block;
    public uint Blocksize;
    public uint Padding;
}

/// <summary>struct fuse_bmap_out (8 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseBmapOut
{
    public ulong Block;
}

/// <summary>struct fuse_ioctl_in (32 bytes), followed by in_size bytes of input.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseIoctlIn
{
    public ulong Fh;
    public FuseIoctlFlags Flags;
    public uint Cmd;
    public ulong Arg;
    public uint InSize;
    public uint OutSize;
}

/// <summary>struct fuse_ioctl_iovec (16 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseIoctlIovec
{
    public ulong Base;
    public ulong Len;
}

/// <summary>struct fuse_ioctl_out (16 bytes), followed by the output data.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseIoctlOut
{
    public int Result;
    public FuseIoctlFlags Flags;
    public uint InIovs;
    public uint OutIovs;
}

/// <summary>struct fuse_poll_in (24 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FusePollIn
{
    public ulong Fh;
    public ulong Kh;
    public uint Flags;
    public uint Events;
}

/// <summary>struct fuse_poll_out (8 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FusePollOut
{
    public uint Revents;
    public uint Padding;
}

/// <summary>struct fuse_notify_poll_wakeup_out (8 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseNotifyPollWakeupOut
{
    public ulong Kh;
}

/// <summary>struct fuse_fallocate_in (32 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseFallocateIn
{
    public ulong Fh;
    public ulong Offset;
    public ulong Length;
    /// <summary>FALLOC_FL_* (KEEP_SIZE 1, PUNCH_HOLE 2, ZERO_RANGE 0x10, …).</summary>
    public uint Mode;
    public uint Padding;
}

/// <summary>struct fuse_in_header (40 bytes): the start of every request.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseInHeader
{
    /// <summary>Total length of the request, header included.</summary>
    public uint Len;
    public FuseOpcode Opcode;
    public ulong Unique;
    public ulong NodeId;
    public uint Uid;
    public uint Gid;
    public uint Pid;
    /// <summary>Length of the extensions after the request, in 8-byte units (7.36).</summary>
    public ushort TotalExtlen;
    public ushort Padding;
}

/// <summary>struct fuse_out_header (16 bytes): the start of every reply and notification.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseOutHeader
{
    public uint Len;
    /// <summary>0 or −errno in a reply; the notify code in a notification.</summary>
    public int Error;
    public ulong Unique;
}

/// <summary>struct fuse_dirent (24 bytes + name, padded to 8): one entry of a READDIR reply.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseDirent
{
    public ulong Ino;
    /// <summary>The offset of the next entry (what the kernel passes back to continue after this one).</summary>
    public ulong Off;
    public uint Namelen;
    /// <summary>DT_* type: (mode &amp; S_IFMT) &gt;&gt; 12.</summary>
    public uint Type;
    // char name[]: the name follows
}

/// <summary>struct fuse_direntplus (152 bytes + name, padded to 8): one entry of a READDIRPLUS reply.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseDirentplus
{
    public FuseEntryOut EntryOut;
    public FuseDirent Dirent;
}

/// <summary>struct fuse_notify_inval_inode_out (24 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseNotifyInvalInodeOut
{
    public ulong Ino;
    public long Off;
    public long Len;
}

/// <summary>struct fuse_notify_inval_entry_out (16 bytes), followed by the name and a NUL.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseNotifyInvalEntryOut
{
    public ulong Parent;
    public uint Namelen;
    public FuseNotifyInvalEntryFlags Flags;
}

/// <summary>struct fuse_notify_delete_out (24 bytes), followed by the name and a NUL.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseNotifyDeleteOut
{
    public ulong Parent;
    public ulong Child;
    public uint Namelen;
    public uint Padding;
}

/// <summary>struct fuse_notify_store_out (24 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseNotifyStoreOut
{
    public ulong NodeId;
    public ulong Offset;
    public uint Size;
    public uint Padding;
}

/// <summary>struct fuse_notify_retrieve_out (32 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseNotifyRetrieveOut
{
    public ulong NotifyUnique;
    public ulong NodeId;
    public ulong Offset;
    public uint Size;
    public uint Padding;
}

/// <summary>struct fuse_notify_retrieve_in (40 bytes; matches the size of fuse_write_in).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseNotifyRetrieveIn
{
    public ulong Dummy1;
    public ulong Offset;
    public uint Size;
    public uint Dummy2;
    public ulong Dummy3;
    public ulong Dummy4;
}

/// <summary>struct fuse_notify_prune_out (16 bytes, 7.45), followed by Count node IDs.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseNotifyPruneOut
{
    public uint Count;
    public uint Padding;
    public ulong Spare;
}

/// <summary>struct fuse_backing_map (16 bytes, 7.40).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseBackingMap
{
    public int Fd;
    public uint Flags;
    public ulong Padding;
}

/// <summary>struct fuse_lseek_in (24 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseLseekIn
{
    public ulong Fh;
    public ulong Offset;
    /// <summary>SEEK_DATA (3) or SEEK_HOLE (4); the kernel answers SEEK_SET/CUR/END itself.</summary>
    public uint Whence;
    public uint Padding;
}

/// <summary>struct fuse_lseek_out (8 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseLseekOut
{
    public ulong Offset;
}

/// <summary>struct fuse_copy_file_range_in (56 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseCopyFileRangeIn
{
    public ulong FhIn;
    public ulong OffIn;
    public ulong NodeIdOut;
    public ulong FhOut;
    public ulong OffOut;
    public ulong Len;
    public ulong Flags;
}

/// <summary>struct fuse_copy_file_range_out (8 bytes, 7.45): the reply of COPY_FILE_RANGE_64.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseCopyFileRangeOut
{
    public ulong BytesCopied;
}

/// <summary>struct fuse_setupmapping_in (40 bytes; virtiofs DAX).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseSetupmappingIn
{
    public ulong Fh;
    public ulong Foffset;
    public ulong Len;
    public ulong Flags;
    public ulong Moffset;
}

/// <summary>struct fuse_removemapping_in (4 bytes; virtiofs DAX).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseRemovemappingIn
{
    public uint Count;
}

/// <summary>struct fuse_removemapping_one (16 bytes; virtiofs DAX).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseRemovemappingOne
{
    public ulong Moffset;
    public ulong Len;
}

/// <summary>struct fuse_syncfs_in (8 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseSyncfsIn
{
    public ulong Padding;
}

/// <summary>struct fuse_secctx (8 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseSecctx
{
    public uint Size;
    public uint Padding;
}

/// <summary>struct fuse_secctx_header (8 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseSecctxHeader
{
    public uint Size;
    public uint NrSecctx;
}

/// <summary>struct fuse_ext_header (8 bytes): one extension after a request's arguments.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseExtHeader
{
    /// <summary>Total size of this extension, header included.</summary>
    public uint Size;
    public FuseExtType Type;
}

/// <summary>struct fuse_supp_groups (4 bytes + groups, 7.39): the FUSE_EXT_GROUPS extension.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseSuppGroups
{
    public uint NrGroups;
    // uint32_t groups[]: the group IDs follow
}

