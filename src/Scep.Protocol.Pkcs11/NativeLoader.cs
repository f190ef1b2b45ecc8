using System;
using System.Reflection;
using System.Runtime.InteropServices;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Scep.Protocol.Pkcs11;

/// <summary>
/// Pkcs11Interop loads PKCS#11 modules with <c>dlopen</c> from a library it names <c>libdl</c>. glibc 2.34 and later
/// (Debian 12) ship that as <c>libdl.so.2</c> only, with dlopen inside <c>libc.so.6</c>; the bare <c>libdl.so</c> comes
/// with development packages. So the name is resolved here to what the system has.
/// </summary>
internal static class NativeLoader
{
    private static int _installed;

    public static void EnsureInstalled()
    {
        if (System.Threading.Interlocked.Exchange(ref _installed, 1) == 1 || !OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            NativeLibrary.SetDllImportResolver(typeof(Pkcs11InteropFactories).Assembly, Resolve);
        }
        catch (InvalidOperationException)
        {
            // The application set a resolver for Pkcs11Interop itself: it decides.
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != "libdl")
        {
            return IntPtr.Zero;
        }

        foreach (var candidate in (string[])["libdl.so", "libdl.so.2", "libc.so.6"])
        {
            if (NativeLibrary.TryLoad(candidate, assembly, searchPath, out var handle))
            {
                return handle;
            }
        }

        return IntPtr.Zero;
    }
}
