using System;
using System.Collections.Generic;
using System.Threading;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Scep.Protocol.Pkcs11;

/// <summary>
/// One loaded and initialised copy of each PKCS#11 module per process, shared by every token opened from it: a module is
/// initialised once per process (C_Initialize; PKCS#11 v2.40 §5.4), and finalising it for one token would end the others'
/// sessions. Reference-counted; finalised when the last token closes. <see cref="Reinitialise"/> finalises and
/// initialises it again, for tokens that a module only finds at initialisation.
/// </summary>
internal static class ModuleRegistry
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, Entry> Modules = new(StringComparer.Ordinal);

    /// <summary>The module's library and its initialisation count (which changes at each reinitialisation).</summary>
    public static (IPkcs11Library Library, int Initialisation) Acquire(Pkcs11InteropFactories factories, string path)
    {
        lock (Gate)
        {
            if (!Modules.TryGetValue(path, out var entry))
            {
                entry = new Entry(Load(factories, path));
                Modules[path] = entry;
            }

            entry.References++;
            return (entry.Library, entry.Initialisation);
        }
    }

    /// <summary>The current library of a module this caller holds.</summary>
    public static (IPkcs11Library Library, int Initialisation) Current(string path)
    {
        lock (Gate)
        {
            var entry = Modules[path];
            return (entry.Library, entry.Initialisation);
        }
    }

    /// <summary>
    /// Finalises and initialises the module again, unless someone did since <paramref name="seen"/>. It waits for the
    /// calls in progress (<see cref="EnterCall"/>): finalising a module while another thread is inside it is undefined
    /// (PKCS#11 v2.40 §5.4, C_Finalize).
    /// </summary>
    public static (IPkcs11Library Library, int Initialisation) Reinitialise(Pkcs11InteropFactories factories, string path, int seen)
    {
        Entry entry;
        lock (Gate)
        {
            entry = Modules[path];
        }

        entry.Calls.EnterWriteLock();
        try
        {
            lock (Gate)
            {
                if (entry.Initialisation == seen)
                {
                    entry.Library.Dispose();
                    entry.Library = Load(factories, path);
                    entry.Initialisation++;
                }

                return (entry.Library, entry.Initialisation);
            }
        }
        finally
        {
            entry.Calls.ExitWriteLock();
        }
    }

    /// <summary>Marks a call into the module as in progress, until disposed: reinitialisation waits for it.</summary>
    public static CallScope EnterCall(string path)
    {
        Entry? entry;
        lock (Gate)
        {
            Modules.TryGetValue(path, out entry);
        }

        entry?.Calls.EnterReadLock();
        return new CallScope(entry?.Calls);
    }

    /// <summary>A call in progress (<see cref="EnterCall"/>).</summary>
    public readonly struct CallScope(ReaderWriterLockSlim? calls) : IDisposable
    {
        public void Dispose() => calls?.ExitReadLock();
    }

    public static void Release(string path)
    {
        lock (Gate)
        {
            if (Modules.TryGetValue(path, out var entry) && --entry.References == 0)
            {
                Modules.Remove(path);
                entry.Library.Dispose();
            }
        }
    }

    private static IPkcs11Library Load(Pkcs11InteropFactories factories, string path)
    {
        NativeLoader.EnsureInstalled();
        try
        {
            return factories.Pkcs11LibraryFactory.LoadPkcs11Library(factories, path, AppType.MultiThreaded);
        }
        catch (Exception e)
        {
            throw new Pkcs11KeyException(Pkcs11Failure.ModuleNotLoaded, $"The PKCS#11 module {path} cannot be loaded: {e.Message}", inner: e);
        }
    }

    private sealed class Entry(IPkcs11Library library)
    {
        public IPkcs11Library Library { get; set; } = library;

        public int Initialisation { get; set; }

        public int References { get; set; }

        public ReaderWriterLockSlim Calls { get; } = new(LockRecursionPolicy.NoRecursion);
    }
}
