using Xunit;

namespace ManagedCephFuse.CephClient.Tests;

[Trait("Category", "Unit")]
public sealed class ErrnoTests
{
    [Theory]
    [InlineData(Errno.ENOENT, "ENOENT")]
    [InlineData(Errno.EEXIST, "EEXIST")]
    [InlineData(Errno.ENOTEMPTY, "ENOTEMPTY")]
    [InlineData(Errno.EDQUOT, "EDQUOT")]
    [InlineData(Errno.ENODATA, "ENODATA")]
    [InlineData(Errno.ERANGE, "ERANGE")]
    [InlineData(Errno.ETIMEDOUT, "ETIMEDOUT")]
    [InlineData(Errno.EOPNOTSUPP, "EOPNOTSUPP")]
    [InlineData(Errno.CephFsMonMapBuild, "CEPHFS_ERROR_MON_MAP_BUILD")]
    [InlineData(4242, "errno 4242")]
    [InlineData(-3, "errno -3")]
    public void NamesAreTheSymbolicOnes(int errno, string name) => Assert.Equal(name, Errno.Name(errno));

    [Fact]
    public void MessagesComeFromTheCLibraryOrLibcephfsDocs()
    {
        Assert.Equal("No such file or directory", Errno.Message(Errno.ENOENT));
        Assert.Equal("Disk quota exceeded", Errno.Message(Errno.EDQUOT));
        Assert.Equal("cannot build the initial monitor map", Errno.Message(Errno.CephFsMonMapBuild));
    }

    [Fact]
    public void ExceptionNamesErrnoCallAndArgumentsOnOneLine()
    {
        var e = new CephException(Errno.ENOENT, "ceph_ll_lookup", "\"x\"");
        Assert.Equal("ENOENT from ceph_ll_lookup(\"x\"): No such file or directory", e.Message);
        Assert.Equal(Errno.ENOENT, e.Errno);
        Assert.Equal("ceph_ll_lookup", e.Call);
        Assert.Equal("\"x\"", e.Arguments);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void ThrowIfErrorMapsNegativeResultsToPositiveErrno()
    {
        Assert.Equal(7, CephException.ThrowIfError(7, "ceph_ll_read"));
        Assert.Equal(0L, CephException.ThrowIfError(0L, "ceph_ll_lseek"));
        var e = Assert.Throws<CephException>(() => CephException.ThrowIfError(-Errno.EEXIST, "ceph_ll_mkdir", "\"d\""));
        Assert.Equal(Errno.EEXIST, e.Errno);
        Assert.StartsWith("EEXIST from ceph_ll_mkdir(\"d\")", e.Message, StringComparison.Ordinal);
        var big = Assert.Throws<CephException>(() => CephException.ThrowIfError(-(long)Errno.ENXIO, "ceph_ll_lseek"));
        Assert.Equal(Errno.ENXIO, big.Errno);
    }
}
