// Placeholder entry point until the CSI driver lands (issue 5).
if (args.Length == 1 && args[0] is "--version")
{
    Console.WriteLine("cephcsi version 0.1.0");
    return 0;
}
Console.Error.WriteLine("cephcsi: not built yet; only --version works");
return 1;
