using System;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Scep.Protocol.Pkcs11;

/// <summary>
/// A private key object of a token as the key classes use it: found by its URI, its handle kept for the pool's
/// generation and found again after the token came back.
/// </summary>
internal sealed class TokenKey(SessionPool pool, Pkcs11Uri uri)
{
    private Cached? _handle;

    public Pkcs11Uri Uri { get; } = uri;

    public string Description => $"key {TokenObjects.Describe(Uri)} of {pool.Description}";

    /// <summary>Runs a mechanism with the private key.</summary>
    public byte[] Run(string what, Func<ISession, IObjectHandle, byte[]> operation) =>
        pool.Run(what + " with " + TokenObjects.Describe(Uri), (session, generation) => operation(session, Handle(session, generation)));

    private IObjectHandle Handle(ISession session, int generation)
    {
        var cached = System.Threading.Volatile.Read(ref _handle);
        if (cached is not null && cached.Generation == generation)
        {
            return pool.Factories.ObjectHandleFactory.Create(cached.Handle);
        }

        var handle = TokenObjects.FindOne(session, pool.Factories, CKO.CKO_PRIVATE_KEY, Uri)
            ?? throw new Pkcs11KeyException(Pkcs11Failure.KeyNotFound, $"No private key {TokenObjects.Describe(Uri)} in {pool.Description}.");
        System.Threading.Volatile.Write(ref _handle, new Cached(generation, handle.ObjectId));
        return handle;
    }

    private sealed record Cached(int Generation, ulong Handle);
}
