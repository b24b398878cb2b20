using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using ManagedCephFuse.FuseFs.Kernel.Abi;
using ManagedCephFuse.FuseFs.Tests.Support;
using Xunit;

namespace ManagedCephFuse.FuseFs.Tests.Unit;

/// <summary>
/// The C# mirror of the FUSE ABI against the C header, compiled with gcc at test time: every struct of
/// /usr/include/linux/fuse.h (7.38) and of the 7.39–7.45 additions (Native/fuse-7.45-additions.h, transcribed from
/// the kernel's UAPI header) must exist with the same size and every field at the same offset; every enum member
/// and flag #define must have a C# counterpart with the same value.
/// </summary>
[Trait("Category", "Unit")]
public sealed partial class AbiLayoutTests
{
    private const string Header = "/usr/include/linux/fuse.h";
    private static readonly Lazy<Probe> Probed = new(Build);

    /// <summary>Fields of the 7.38 header whose place the newer protocol gave to other fields (same offset).</summary>
    private static readonly Dictionary<(string Struct, string Field), string> RenamedSince738 = new()
    {
        [("fuse_open_out", "padding")] = "BackingId",     // 7.40
        [("fuse_init_out", "unused")] = "MaxStackDepth",  // 7.40 (then request_timeout 7.43, unused[11] of u16)
    };

    [Fact]
    public void EveryStructOfTheHeaderHasTheSameSizeAndFieldOffsets()
    {
        Probe probe = Probed.Value;
        Assert.True(probe.Structs.Count >= 60, $"only {probe.Structs.Count} structs parsed from {Header}");
        var failures = new List<string>();
        foreach ((string cName, CStruct s) in probe.Structs)
        {
            Type? type = ClrType(cName);
            if (type is null)
            {
                failures.Add($"struct {cName}: no C# mirror");
                continue;
            }
            int size = Marshal.SizeOf(type);
            if (size != s.Size)
                failures.Add($"struct {cName}: C size {s.Size}, C# {type.Name} {size}");
            foreach ((string field, int offset) in s.Offsets)
            {
                string clrField = FieldName(type, cName, field);
                FieldInfo? info = type.GetField(clrField, BindingFlags.Public | BindingFlags.Instance);
                if (info is null)
                {
                    failures.Add($"{cName}.{field}: no field {type.Name}.{clrField}");
                    continue;
                }
                int clrOffset = (int)Marshal.OffsetOf(type, clrField);
                if (clrOffset != offset)
                    failures.Add($"{cName}.{field}: C offset {offset}, C# {type.Name}.{clrField} {clrOffset}");
            }
            // every C# field is in the C struct (in its 7.38 or its 7.45 form)
            string bare = cName.Replace("k745_", "", StringComparison.Ordinal);
            IEnumerable<string> cFields = probe.Structs.Where(kv => kv.Key.Replace("k745_", "", StringComparison.Ordinal) == bare)
                .SelectMany(kv => kv.Value.Offsets.Keys);
            foreach (FieldInfo info in type.GetFields(BindingFlags.Public | BindingFlags.Instance))
            {
                if (!cFields.Any(f => Normalize(f) == Normalize(info.Name)))
                    failures.Add($"{type.Name}.{info.Name}: in neither form of struct {bare}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void FuseStatxIsTheStatxStructOfLinuxStatH()
    {
        Probe probe = Probed.Value;
        CStruct statx = probe.Statx;
        Assert.Equal(statx.Size, Marshal.SizeOf<FuseStatx>());
        foreach ((string field, int offset) in statx.Offsets)
        {
            string name = field.Replace("stx_", "", StringComparison.Ordinal);
            FieldInfo? info = typeof(FuseStatx).GetFields().FirstOrDefault(f => Normalize(f.Name) == Normalize(name));
            if (info is null)
            {
                // newer statx fields live in fuse_statx's __spare2
                Assert.True(offset >= (int)Marshal.OffsetOf<FuseStatx>(nameof(FuseStatx.Spare2)), $"statx.{field} at {offset} has no fuse_statx field");
                continue;
            }
            Assert.True(offset == (int)Marshal.OffsetOf<FuseStatx>(info.Name), $"statx.{field}: {offset} vs FuseStatx.{info.Name}");
        }
    }

    [Fact]
    public void EveryOpcodeNotifyCodeAndFlagHasTheHeadersValue()
    {
        Probe probe = Probed.Value;
        Assert.True(probe.Constants.Count >= 150, $"only {probe.Constants.Count} constants probed");
        var failures = new List<string>();
        foreach ((string name, ulong raw) in probe.Constants)
        {
            if (name == "FUSE_KERNEL_MINOR_VERSION")
                continue;
            // "(1 << 31)" in the 7.38 header is a negative int, sign-extended: compare its 32 bits
            ulong value = raw >> 32 == 0xFFFFFFFF ? raw & 0xFFFFFFFF : raw;
            if (!TryClrValue(name.Replace("K745_", "", StringComparison.Ordinal), out ulong clr, out string where))
                failures.Add($"{name} = {value}: no C# counterpart");
            else if (clr != value)
                failures.Add($"{name} = {value}: {where} = {clr}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(FuseProtocol.KernelMinorVersion >= probe.Constants["FUSE_KERNEL_MINOR_VERSION"]);
    }

    // ---- mapping C names to the C# mirror ----

    private static Type? ClrType(string cName)
    {
        string bare = cName.Replace("k745_", "", StringComparison.Ordinal);
        string pascal = string.Concat(bare.Split('_', StringSplitOptions.RemoveEmptyEntries).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
        return typeof(FuseAttr).Assembly.GetType("ManagedCephFuse.FuseFs.Kernel.Abi." + pascal);
    }

    private static string FieldName(Type type, string cStruct, string cField)
    {
        if (RenamedSince738.TryGetValue((cStruct, cField), out string? renamed))
            return renamed;
        FieldInfo? match = type.GetFields(BindingFlags.Public | BindingFlags.Instance).FirstOrDefault(f => Normalize(f.Name) == Normalize(cField));
        return match?.Name ?? cField;
    }

    private static string Normalize(string name) => name.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();

    private static readonly (string Prefix, Type Enum)[] FlagGroups =
    [
        ("FATTR_", typeof(FuseSetAttrValid)), ("FOPEN_", typeof(FuseOpenOutFlags)), ("FUSE_RELEASE_", typeof(FuseReleaseFlags)),
        ("FUSE_GETATTR_", typeof(FuseGetAttrFlags)), ("FUSE_LK_", typeof(FuseLkFlags)), ("FUSE_WRITE_", typeof(FuseWriteFlags)),
        ("FUSE_READ_", typeof(FuseReadFlags)), ("FUSE_IOCTL_", typeof(FuseIoctlFlags)), ("FUSE_FSYNC_", typeof(FuseFsyncFlags)),
        ("FUSE_ATTR_", typeof(FuseAttrFlags)), ("FUSE_OPEN_", typeof(FuseOpenInFlags)), ("FUSE_SETXATTR_", typeof(FuseSetxattrFlags)),
        ("FUSE_POLL_", typeof(FusePollFlags)), ("FUSE_SETUPMAPPING_FLAG_", typeof(FuseSetupmappingFlags)), ("CUSE_", typeof(CuseInitFlags)),
        ("FUSE_NOTIFY_", typeof(FuseNotifyCode)), ("FUSE_EXT_", typeof(FuseExtType)), ("FUSE_", typeof(FuseNotifyInvalEntryFlags)),
        ("FUSE_", typeof(FuseExtType)), ("", typeof(FuseOpcode)), ("FUSE_", typeof(FuseOpcode)),
        ("FUSE_", typeof(FuseInitFlags)),
    ];

    private static readonly Dictionary<string, ulong> Scalars = new()
    {
        ["FUSE_KERNEL_VERSION"] = FuseProtocol.KernelVersion,
        ["FUSE_ROOT_ID"] = FuseProtocol.RootId,
        ["FUSE_MIN_READ_BUFFER"] = FuseProtocol.MinReadBuffer,
        ["FUSE_COMPAT_ENTRY_OUT_SIZE"] = FuseProtocol.CompatEntryOutSize,
        ["FUSE_COMPAT_ATTR_OUT_SIZE"] = FuseProtocol.CompatAttrOutSize,
        ["FUSE_COMPAT_MKNOD_IN_SIZE"] = FuseProtocol.CompatMknodInSize,
        ["FUSE_COMPAT_WRITE_IN_SIZE"] = FuseProtocol.CompatWriteInSize,
        ["FUSE_COMPAT_STATFS_SIZE"] = FuseProtocol.CompatStatfsSize,
        ["FUSE_COMPAT_SETXATTR_IN_SIZE"] = FuseProtocol.CompatSetxattrInSize,
        ["FUSE_COMPAT_INIT_OUT_SIZE"] = FuseProtocol.CompatInitOutSize,
        ["FUSE_COMPAT_22_INIT_OUT_SIZE"] = FuseProtocol.Compat22InitOutSize,
        ["FUSE_IOCTL_MAX_IOV"] = FuseProtocol.IoctlMaxIov,
        ["CUSE_INIT_INFO_MAX"] = FuseProtocol.CuseInitInfoMax,
        ["FUSE_DEV_IOC_CLONE"] = FuseProtocol.DevIocClone,
        ["FUSE_DEV_IOC_MAGIC"] = 229,
        ["FUSE_IOCTL_32BIT"] = (ulong)FuseIoctlFlags.Bit32,
        ["FUSE_WRITE_KILL_PRIV"] = (ulong)FuseWriteFlags.KillSuidgid, // obsolete alias
        ["FUSE_MAX_NR_SECCTX"] = (ulong)FuseExtType.MaxNrSecctx,
    };

    private static bool TryClrValue(string name, out ulong value, out string where)
    {
        if (Scalars.TryGetValue(name, out value))
        {
            where = "FuseProtocol";
            return true;
        }
        foreach ((string prefix, Type enumType) in FlagGroups)
        {
            if (!name.StartsWith(prefix, StringComparison.Ordinal))
                continue;
            string rest = Normalize(name[prefix.Length..]);
            foreach (string member in Enum.GetNames(enumType))
            {
                if (Normalize(member) == rest)
                {
                    value = Convert.ToUInt64(Enum.Parse(enumType, member), CultureInfo.InvariantCulture);
                    where = $"{enumType.Name}.{member}";
                    return true;
                }
            }
        }
        value = 0;
        where = "";
        return false;
    }

    // ---- the probe: parse the headers, generate C, compile, run ----

    private sealed record CStruct(int Size, Dictionary<string, int> Offsets);

    private sealed record Probe(Dictionary<string, CStruct> Structs, CStruct Statx, Dictionary<string, ulong> Constants);

    [GeneratedRegex(@"/\*.*?\*/|//[^\n]*", RegexOptions.Singleline)]
    private static partial Regex Comments();

    [GeneratedRegex(@"\bstruct\s+(\w+)\s*\{([^{}]*)\}\s*;", RegexOptions.Singleline)]
    private static partial Regex StructBlock();

    [GeneratedRegex(@"\benum\s+(\w+)\s*\{([^{}]*)\}\s*;", RegexOptions.Singleline)]
    private static partial Regex EnumBlock();

    [GeneratedRegex(@"^\s*#define\s+((?:FUSE|FATTR|FOPEN|CUSE)_\w+)\s+\(?\s*1U?L?L?\s*<<\s*\d+\s*\)?\s*$", RegexOptions.Multiline)]
    private static partial Regex FlagDefine();

    [GeneratedRegex(@"^\s*#define\s+((?:FUSE|CUSE)_\w+)\s+(\d+|_IOR\(.*\))\s*$", RegexOptions.Multiline)]
    private static partial Regex ScalarDefine();

    [GeneratedRegex(@"(\w+)\s*(\[\s*\w*\s*\])?\s*$")]
    private static partial Regex FieldName();

    private static Probe Build()
    {
        string additionsPath = Path.Combine(AppContext.BaseDirectory, "Native", "fuse-7.45-additions.h");
        var structs = new List<string>();
        var constants = new List<string>();
        var c = new StringBuilder();
        c.AppendLine("#include <stddef.h>\n#include <stdio.h>\n#include <sys/ioctl.h>\n#include <linux/fuse.h>\n#include <linux/stat.h>");
        c.AppendLine($"#include \"{additionsPath}\"");
        c.AppendLine("int main(void) {");
        foreach (string file in new[] { Header, additionsPath })
        {
            string text = Comments().Replace(File.ReadAllText(file), "");
            foreach (Match m in StructBlock().Matches(text))
            {
                string name = m.Groups[1].Value;
                structs.Add(name);
                c.AppendLine(CultureInfo.InvariantCulture, $"printf(\"S {name} %zu\\n\", sizeof(struct {name}));");
                foreach (string statement in m.Groups[2].Value.Split(';'))
                {
                    string s = statement.Trim();
                    if (s.Length == 0)
                        continue;
                    Match f = FieldName().Match(s);
                    if (!f.Success || f.Groups[2].Value.Replace(" ", "", StringComparison.Ordinal) == "[]")
                        continue; // flexible array member: no field, sizeof covers it
                    string field = f.Groups[1].Value;
                    c.AppendLine(CultureInfo.InvariantCulture, $"printf(\"F {name} {field} %zu\\n\", offsetof(struct {name}, {field}));");
                }
            }
            foreach (Match m in EnumBlock().Matches(text))
            {
                foreach (string member in m.Groups[2].Value.Split(','))
                {
                    string id = member.Split('=')[0].Trim();
                    if (id.Length > 0 && !id.EndsWith("_CODE_MAX", StringComparison.Ordinal))
                        constants.Add(id);
                }
            }
            foreach (Match m in FlagDefine().Matches(text))
                constants.Add(m.Groups[1].Value);
            foreach (Match m in ScalarDefine().Matches(text))
                constants.Add(m.Groups[1].Value);
        }
        constants.Add("FUSE_KERNEL_MINOR_VERSION");
        foreach (string name in constants.Distinct())
            c.AppendLine(CultureInfo.InvariantCulture, $"printf(\"C {name} %llu\\n\", (unsigned long long)({name}));");
        // struct statx from <linux/stat.h>, which fuse_statx mirrors
        c.AppendLine("printf(\"S statx %zu\\n\", sizeof(struct statx));");
        foreach (string field in new[] { "stx_mask", "stx_blksize", "stx_attributes", "stx_nlink", "stx_uid", "stx_gid", "stx_mode", "stx_ino",
            "stx_size", "stx_blocks", "stx_attributes_mask", "stx_atime", "stx_btime", "stx_ctime", "stx_mtime", "stx_rdev_major",
            "stx_rdev_minor", "stx_dev_major", "stx_dev_minor" })
            c.AppendLine(CultureInfo.InvariantCulture, $"printf(\"F statx {field} %zu\\n\", offsetof(struct statx, {field}));");
        c.AppendLine("return 0; }");

        string exe = NativeHelper.Compile("fuse-abi-probe", c.ToString());
        var (exit, output, error) = NativeHelper.Run(exe, "");
        Assert.True(exit == 0, error);
        var parsedStructs = new Dictionary<string, CStruct>();
        var parsedConstants = new Dictionary<string, ulong>();
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] p = line.Split(' ');
            switch (p[0])
            {
                case "S":
                    parsedStructs[p[1]] = new CStruct(int.Parse(p[2], CultureInfo.InvariantCulture), []);
                    break;
                case "F":
                    parsedStructs[p[1]].Offsets[p[2]] = int.Parse(p[3], CultureInfo.InvariantCulture);
                    break;
                case "C":
                    parsedConstants[p[1]] = ulong.Parse(p[2], CultureInfo.InvariantCulture);
                    break;
            }
        }
        CStruct statx = parsedStructs["statx"];
        parsedStructs.Remove("statx");
        return new Probe(parsedStructs, statx, parsedConstants);
    }
}
