// managed-cephfuse: a FUSE daemon speaking the kernel protocol itself (Kernel/), serving CephFS (CephFs/) or an
// in-memory file system (Memory/), with a ceph-fuse compatible command line and lifecycle (Hosting/).
return ManagedCephFuse.FuseFs.Hosting.Entry.Run(args);
