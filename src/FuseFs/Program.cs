// Placeholder entry point until the FUSE daemon lands (issue 3/4).
if (args.Length == 1 && args[0] is "-V" or "--version")
{
    Console.WriteLine("managed-cephfuse version 0.1.0");
    return 0;
}
Console.Error.WriteLine("managed-cephfuse: not built yet; only --version works");
return 1;
