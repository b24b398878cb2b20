using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

using Xunit;

namespace ManagedCephFuse.CephClient.Tests;

/// <summary>
/// Every bound struct's size and every field's offset and size against gcc's view of the real headers, and every
/// named constant against the header's macro.
/// </summary>
[Trait("Category", "Unit")]
public sealed class StructLayoutTests
{
    /// <summary>C struct (as gcc names it), the C# mirror, C field → C# field.</summary>
    private static readonly (string C, Type Managed, (string C, string Managed)[] Fields)[] Structs =
    [
        ("struct ceph_statx", typeof(CephStatx),
        [
            ("stx_mask", "Mask"), ("stx_blksize", "BlockSize"), ("stx_nlink", "NLink"), ("stx_uid", "Uid"),
            ("stx_gid", "Gid"), ("stx_mode", "Mode"), ("stx_ino", "Ino"), ("stx_size", "Size"),
            ("stx_blocks", "Blocks"), ("stx_dev", "Dev"), ("stx_rdev", "RDev"), ("stx_atime", "ATime"),
            ("stx_ctime", "CTime"), ("stx_mtime", "MTime"), ("stx_btime", "BTime"), ("stx_version", "Version"),
        ]),
        ("struct timespec", typeof(Timespec), [("tv_sec", "Seconds"), ("tv_nsec", "Nanoseconds")]),
        ("struct statvfs", typeof(StatVfs),
        [
            ("f_bsize", "BlockSize"), ("f_frsize", "FragmentSize"), ("f_blocks", "Blocks"), ("f_bfree", "BlocksFree"),
            ("f_bavail", "BlocksAvailable"), ("f_files", "Files"), ("f_ffree", "FilesFree"),
            ("f_favail", "FilesAvailable"), ("f_fsid", "FsId"), ("f_flag", "Flags"), ("f_namemax", "NameMax"),
            ("__f_spare", "_spare"),
        ]),
        ("struct flock", typeof(Flock),
        [
            ("l_type", "Type"), ("l_whence", "Whence"), ("l_start", "Start"), ("l_len", "Length"), ("l_pid", "Pid"),
        ]),
        ("struct dirent", typeof(Dirent),
        [
            ("d_ino", "Ino"), ("d_off", "Offset"), ("d_reclen", "RecordLength"), ("d_type", "Type"), ("d_name", "_name"),
        ]),
        ("vinodeno_t", typeof(VInodeNo), [("ino.val", "Ino"), ("snapid.val", "SnapId")]),
        ("inodeno_t", typeof(Native.InodeNo), [("val", "Val")]),
        ("struct iovec", typeof(IoVec), [("iov_base", "Base"), ("iov_len", "Length")]),
        ("struct ceph_client_callback_args", typeof(Native.CephClientCallbackArgs),
        [
            ("handle", "Handle"), ("ino_cb", "InoCb"), ("dentry_cb", "DentryCb"), ("switch_intr_cb", "SwitchIntrCb"),
            ("remount_cb", "RemountCb"), ("umask_cb", "UmaskCb"), ("ino_release_cb", "InoReleaseCb"),
        ]),
        // pointer wrappers are passed where C passes Inode*, Fh*, ceph_dir_result*, UserPerm*
        ("Inode *", typeof(InodePtr), []),
        ("struct Fh *", typeof(FhPtr), []),
        ("struct ceph_dir_result *", typeof(DirPtr), []),
        ("UserPerm *", typeof(UserPermPtr), []),
    ];

    /// <summary>Macro → the value our C# constant has.</summary>
    private static IEnumerable<(string Macro, long Value)> Constants()
    {
        foreach (var (macro, value) in new (string, StatxMask)[]
        {
            ("CEPH_STATX_MODE", StatxMask.Mode), ("CEPH_STATX_NLINK", StatxMask.NLink), ("CEPH_STATX_UID", StatxMask.Uid),
            ("CEPH_STATX_GID", StatxMask.Gid), ("CEPH_STATX_RDEV", StatxMask.RDev), ("CEPH_STATX_ATIME", StatxMask.ATime),
            ("CEPH_STATX_MTIME", StatxMask.MTime), ("CEPH_STATX_CTIME", StatxMask.CTime), ("CEPH_STATX_INO", StatxMask.Ino),
            ("CEPH_STATX_SIZE", StatxMask.Size), ("CEPH_STATX_BLOCKS", StatxMask.Blocks),
            ("CEPH_STATX_BASIC_STATS", StatxMask.BasicStats), ("CEPH_STATX_BTIME", StatxMask.BTime),
            ("CEPH_STATX_VERSION", StatxMask.Version), ("CEPH_STATX_ALL_STATS", StatxMask.AllStats),
        })
            yield return (macro, (long)value);
        foreach (var (macro, value) in new (string, AtFlags)[]
        {
            ("AT_SYMLINK_NOFOLLOW", AtFlags.SymlinkNoFollow), ("AT_STATX_FORCE_SYNC", AtFlags.StatxForceSync),
            ("AT_STATX_DONT_SYNC", AtFlags.StatxDontSync),
        })
            yield return (macro, (long)value);
        foreach (var (macro, value) in new (string, SetAttrMask)[]
        {
            ("CEPH_SETATTR_MODE", SetAttrMask.Mode), ("CEPH_SETATTR_UID", SetAttrMask.Uid), ("CEPH_SETATTR_GID", SetAttrMask.Gid),
            ("CEPH_SETATTR_MTIME", SetAttrMask.MTime), ("CEPH_SETATTR_ATIME", SetAttrMask.ATime),
            ("CEPH_SETATTR_SIZE", SetAttrMask.Size), ("CEPH_SETATTR_CTIME", SetAttrMask.CTime),
            ("CEPH_SETATTR_MTIME_NOW", SetAttrMask.MTimeNow), ("CEPH_SETATTR_ATIME_NOW", SetAttrMask.ATimeNow),
            ("CEPH_SETATTR_BTIME", SetAttrMask.BTime), ("CEPH_SETATTR_KILL_SGUID", SetAttrMask.KillSguid),
            ("CEPH_SETATTR_FSCRYPT_AUTH", SetAttrMask.FscryptAuth), ("CEPH_SETATTR_FSCRYPT_FILE", SetAttrMask.FscryptFile),
            ("CEPH_SETATTR_KILL_SUID", SetAttrMask.KillSuid), ("CEPH_SETATTR_KILL_SGID", SetAttrMask.KillSgid),
        })
            yield return (macro, (long)value);
        // O_LARGEFILE is 0 in glibc's x86-64 headers; OpenFlags.LargeFile is the kernel's bit that FUSE passes
        foreach (var (macro, value) in new (string, OpenFlags)[]
        {
            ("O_RDONLY", OpenFlags.ReadOnly), ("O_WRONLY", OpenFlags.WriteOnly), ("O_RDWR", OpenFlags.ReadWrite),
            ("O_ACCMODE", OpenFlags.AccessMask), ("O_CREAT", OpenFlags.Create), ("O_EXCL", OpenFlags.Exclusive),
            ("O_NOCTTY", OpenFlags.NoCtty), ("O_TRUNC", OpenFlags.Truncate), ("O_APPEND", OpenFlags.Append),
            ("O_NONBLOCK", OpenFlags.NonBlock), ("O_DSYNC", OpenFlags.DSync), ("O_DIRECT", OpenFlags.Direct),
            ("O_DIRECTORY", OpenFlags.Directory), ("O_NOFOLLOW", OpenFlags.NoFollow), ("O_NOATIME", OpenFlags.NoAtime),
            ("O_CLOEXEC", OpenFlags.CloseOnExec), ("O_SYNC", OpenFlags.Sync),
        })
            yield return (macro, (long)value);
        yield return ("FALLOC_FL_KEEP_SIZE", (long)FallocateMode.KeepSize);
        yield return ("FALLOC_FL_PUNCH_HOLE", (long)FallocateMode.PunchHole);
        yield return ("XATTR_CREATE", (long)XattrFlags.Create);
        yield return ("XATTR_REPLACE", (long)XattrFlags.Replace);
        yield return ("F_RDLCK", (long)LockType.Read);
        yield return ("F_WRLCK", (long)LockType.Write);
        yield return ("F_UNLCK", (long)LockType.Unlock);
        yield return ("SEEK_SET", (long)SeekWhence.Set);
        yield return ("SEEK_CUR", (long)SeekWhence.Current);
        yield return ("SEEK_END", (long)SeekWhence.End);
        yield return ("SEEK_DATA", (long)SeekWhence.Data);
        yield return ("SEEK_HOLE", (long)SeekWhence.Hole);
        foreach (var (macro, value) in new (string, DirentType)[]
        {
            ("DT_UNKNOWN", DirentType.Unknown), ("DT_FIFO", DirentType.Fifo), ("DT_CHR", DirentType.CharDevice),
            ("DT_DIR", DirentType.Directory), ("DT_BLK", DirentType.BlockDevice), ("DT_REG", DirentType.Regular),
            ("DT_LNK", DirentType.Symlink), ("DT_SOCK", DirentType.Socket),
        })
            yield return (macro, (long)value);
        foreach (var (macro, value) in new (string, uint)[]
        {
            ("S_IFMT", UnixMode.TypeMask), ("S_IFSOCK", UnixMode.Socket), ("S_IFLNK", UnixMode.Symlink),
            ("S_IFREG", UnixMode.Regular), ("S_IFBLK", UnixMode.BlockDevice), ("S_IFDIR", UnixMode.Directory),
            ("S_IFCHR", UnixMode.CharDevice), ("S_IFIFO", UnixMode.Fifo),
        })
            yield return (macro, value);
        yield return ("CEPH_INO_ROOT", (long)CephSnap.RootIno);
        yield return ("CEPH_NOSNAP", unchecked((long)CephSnap.NoSnap));
        yield return ("CEPHFS_ERROR_MON_MAP_BUILD", Errno.CephFsMonMapBuild);
        yield return ("CEPHFS_ERROR_NEW_CLIENT", Errno.CephFsNewClient);
        yield return ("CEPHFS_ERROR_MESSENGER_START", Errno.CephFsMessengerStart);
        yield return ("NAME_MAX + 1", Dirent.NameCapacity);
    }

    private static readonly Lazy<Dictionary<string, long>> Probe = new(RunProbe);

    [Fact]
    public void EveryStructHasTheHeadersSize()
    {
        foreach (var (c, managed, _) in Structs)
        {
            Assert.True(Probe.Value.TryGetValue($"sizeof {c}", out long size), $"probe did not report sizeof {c}");
            Assert.True(size == Marshal.SizeOf(managed), $"sizeof({c}) = {size}, Marshal.SizeOf({managed.Name}) = {Marshal.SizeOf(managed)}");
            Assert.True(size == ManagedSize(managed), $"sizeof({c}) = {size}, managed sizeof({managed.Name}) = {ManagedSize(managed)}");
        }
    }

    [Fact]
    public void EveryFieldHasTheHeadersOffsetAndSize()
    {
        int checkedFields = 0;
        foreach (var (c, managed, fields) in Structs)
        {
            var instanceFields = managed.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);
            Assert.True(instanceFields.Length == Math.Max(fields.Length, 1) || fields.Length == 0 && instanceFields.Length == 1,
                $"{managed.Name} has fields [{string.Join(", ", instanceFields.Select(f => f.Name))}], the map names {fields.Length}");
            foreach (var (cField, managedField) in fields)
            {
                var field = managed.GetField(managedField, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
                    ?? throw new InvalidOperationException($"{managed.Name}.{managedField} does not exist");
                long offset = Probe.Value[$"offsetof {c} {cField}"];
                long size = Probe.Value[$"fieldsize {c} {cField}"];
                Assert.True(offset == (long)Marshal.OffsetOf(managed, managedField),
                    $"offsetof({c}, {cField}) = {offset}, {managed.Name}.{managedField} is at {Marshal.OffsetOf(managed, managedField)}");
                Assert.True(size == FieldSize(field), $"sizeof({c}.{cField}) = {size}, {managed.Name}.{managedField} has {FieldSize(field)}");
                checkedFields++;
            }
        }
        Assert.Equal(Structs.Sum(s => s.Fields.Length), checkedFields);
    }

    [Fact]
    public void EveryConstantHasTheHeadersValue()
    {
        foreach (var (macro, value) in Constants())
        {
            Assert.True(Probe.Value.TryGetValue($"const {macro}", out long expected), $"probe did not report {macro}");
            Assert.True(expected == value, $"{macro} = {expected} in the headers, {value} here");
        }
    }

    [Fact]
    public void EveryErrnoConstantHasTheLibcValueAndMessage()
    {
        var errnos = ErrnoConstants().ToList();
        Assert.True(errnos.Count >= 50, $"only {errnos.Count} errno constants found");
        foreach (var (name, value) in errnos)
        {
            Assert.True(Probe.Value.TryGetValue($"const {name}", out long expected), $"probe did not report {name}");
            Assert.True(expected == value, $"{name} = {expected} in errno.h, {value} in Errno");
            Assert.Equal(Probe.Value[$"strerror-of {name}"], StrErrorHash(Errno.Message(value)));
        }
    }

    private static IEnumerable<(string Name, int Value)> ErrnoConstants() =>
        typeof(Errno).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(int) && f.Name.StartsWith('E'))
            .Select(f => (f.Name, (int)f.GetRawConstantValue()!));

    // a stable hash of the message text, so the probe's output stays one number per line
    private static long StrErrorHash(string text)
    {
        long hash = 5381;
        foreach (byte b in Encoding.UTF8.GetBytes(text))
            hash = unchecked(hash * 33 + b) & 0x7fffffff;
        return hash;
    }

    private static int ManagedSize(Type type) =>
        (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(type).Invoke(null, null)!;

    private static int FieldSize(FieldInfo field)
    {
        if (field.GetCustomAttribute<FixedBufferAttribute>() is { } fixedBuffer)
            return fixedBuffer.Length * Marshal.SizeOf(fixedBuffer.ElementType);
        Type type = field.FieldType;
        if (type.IsEnum)
            type = Enum.GetUnderlyingType(type);
        if (type.IsPointer || type.IsFunctionPointer || type.IsUnmanagedFunctionPointer)
            return IntPtr.Size;
        return Marshal.SizeOf(type);
    }

    private static Dictionary<string, long> RunProbe()
    {
        var c = new StringBuilder();
        c.AppendLine("""
            #include <stdio.h>
            #include <stddef.h>
            #include <string.h>
            #include <errno.h>
            #include <limits.h>
            #include <dirent.h>
            #include <fcntl.h>
            #include <unistd.h>
            #include <sys/stat.h>
            #include <sys/uio.h>
            #include <sys/xattr.h>
            #include <linux/falloc.h>
            #include <cephfs/libcephfs.h>
            static long h(const char *s) { long x = 5381; for (; *s; s++) x = (x * 33 + (unsigned char)*s) & 0x7fffffff; return x; }
            int main(void) {
            """);
        foreach (var (cName, _, fields) in Structs)
        {
            c.AppendLine($"  printf(\"sizeof {cName}=%zu\\n\", sizeof({cName}));");
            foreach (var (field, _) in fields)
            {
                c.AppendLine($"  printf(\"offsetof {cName} {field}=%zu\\n\", offsetof({cName}, {field}));");
                c.AppendLine($"  printf(\"fieldsize {cName} {field}=%zu\\n\", sizeof((({cName} *)0)->{field}));");
            }
        }
        foreach (var (macro, _) in Constants())
            c.AppendLine($"  printf(\"const {macro}=%lld\\n\", (long long)({macro}));");
        foreach (var (name, _) in ErrnoConstants())
        {
            string macro = name == "EBLOCKLISTED" ? "ESHUTDOWN" : name; // Ceph's alias
            c.AppendLine($"  printf(\"const {name}=%lld\\n\", (long long)({macro}));");
            c.AppendLine($"  printf(\"strerror-of {name}=%ld\\n\", h(strerror({macro})));");
        }
        c.AppendLine("  return 0;\n}");
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string line in NativeProbe.Run("layout", c.ToString()))
        {
            int eq = line.LastIndexOf('=');
            values[line[..eq]] = long.Parse(line[(eq + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        }
        return values;
    }
}
