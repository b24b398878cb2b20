using System.Buffers.Binary;
using ManagedCephFuse.CephClient;
using ManagedCephFuse.FuseFs.Kernel;

namespace ManagedCephFuse.FuseFs.CephFs;

/// <summary>
/// access(2) as the kernel's generic_permission decides it, from the mode bits and (when present) the POSIX
/// access ACL (<c>system.posix_acl_access</c>, xattr format version 2). Only used for FUSE ACCESS, i.e. when
/// the kernel does not check permissions itself (no default_permissions).
/// </summary>
internal static class Permissions
{
    private const int R = 4, W = 2, X = 1;
    private const ushort AclUserObj = 0x01, AclUser = 0x02, AclGroupObj = 0x04, AclGroup = 0x08, AclMask = 0x10, AclOther = 0x20;
    private const int AclVersion = 2, AclHeader = 4, AclEntry = 8;

    /// <summary>May the caller of <paramref name="context"/> access the inode with <paramref name="mask"/> (R/W/X_OK)?</summary>
    public static bool Check(in CephStatx st, FuseRequestContext context, int mask, ReadOnlySpan<byte> acl)
    {
        mask &= R | W | X;
        if (context.Uid == 0)
        {
            // root: read and write always; execute if anybody may, or for directories
            return (mask & X) == 0 || UnixMode.IsDirectory(st.Mode) || (st.Mode & 0x49) != 0; // 0111
        }
        if (acl.Length >= AclHeader + AclEntry && BinaryPrimitives.ReadUInt32LittleEndian(acl) == AclVersion)
            return FromAcl(st, context, acl[AclHeader..], mask);
        return (FromMode(st, context) & mask) == mask;
    }

    private static int FromMode(in CephStatx st, FuseRequestContext context)
    {
        uint mode = st.Mode;
        if (context.Uid == st.Uid)
            return (int)(mode >> 6) & 7;
        if (context.IsInGroup(st.Gid))
            return (int)(mode >> 3) & 7;
        return (int)mode & 7;
    }

    /// <summary>POSIX.1e: the owner entry, else a named user entry (masked), else any matching group entry
    /// that grants everything asked (masked), else other.</summary>
    private static bool FromAcl(in CephStatx st, FuseRequestContext context, ReadOnlySpan<byte> entries, int mask)
    {
        int userObj = 0, other = 0, maskPerm = 7;
        int named = -1;
        bool groupMatched = false;
        bool groupGrants = false;
        int groupObj = -1;
        Span<int> groupEntries = stackalloc int[64];
        int groupCount = 0;
        for (int at = 0; at + AclEntry <= entries.Length; at += AclEntry)
        {
            ushort tag = BinaryPrimitives.ReadUInt16LittleEndian(entries[at..]);
            int perm = BinaryPrimitives.ReadUInt16LittleEndian(entries[(at + 2)..]) & 7;
            uint id = BinaryPrimitives.ReadUInt32LittleEndian(entries[(at + 4)..]);
            switch (tag)
            {
                case AclUserObj:
                    userObj = perm;
                    break;
                case AclUser when id == context.Uid:
                    named = perm;
                    break;
                case AclGroupObj:
                    groupObj = perm;
                    break;
                case AclGroup when context.IsInGroup(id) && groupCount < groupEntries.Length:
                    groupEntries[groupCount++] = perm;
                    break;
                case AclMask:
                    maskPerm = perm;
                    break;
                case AclOther:
                    other = perm;
                    break;
            }
        }
        if (context.Uid == st.Uid)
            return (userObj & mask) == mask;
        if (named >= 0)
            return (named & maskPerm & mask) == mask;
        if (groupObj >= 0 && context.IsInGroup(st.Gid))
        {
            groupMatched = true;
            groupGrants |= (groupObj & maskPerm & mask) == mask;
        }
        foreach (int perm in groupEntries[..groupCount])
        {
            groupMatched = true;
            groupGrants |= (perm & maskPerm & mask) == mask;
        }
        if (groupMatched)
            return groupGrants;
        return (other & mask) == mask;
    }
}
