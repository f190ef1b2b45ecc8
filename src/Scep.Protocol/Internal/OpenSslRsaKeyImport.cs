using System;
using System.Formats.Asn1;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Threading;

namespace Scep.Protocol.Internal;

/// <summary>
/// Imports an RSA public key on Linux with OpenSSL 3 by handing its PKCS#1 RSAPublicKey to <c>d2i_PublicKey</c>,
/// the library's direct decoder, and wrapping the result in an <see cref="RSAOpenSsl"/>.
/// </summary>
/// <remarks>
/// <para>
/// .NET imports a SubjectPublicKeyInfo in its native shim (<c>CryptoNative_DecodeSubjectPublicKeyInfo</c>), which
/// OpenSSL 3.0 serves with its provider decoder framework: about 0.3–0.5 ms per key on a 2-core VM, against under
/// 0.05 ms for <c>d2i_PublicKey</c>. A SCEP server imports one new client key per enrollment, so this was the
/// largest cost of an enrollment after its three RSA private-key operations. The key object is the same kind .NET creates (an <c>EVP_PKEY</c> of the
/// OpenSSL .NET already loaded, <c>libcrypto.so.3</c>), and every operation on it still runs through .NET.
/// </para>
/// <para>
/// Used only where it is known to be the same library: on Linux, when .NET runs on OpenSSL 3.x. The first key
/// imported this way is exported again through .NET and compared with its input; if they differ, or anything
/// here fails, the shortcut turns itself off for the process and the caller imports as .NET does. Input that is
/// not a strict DER RSAPublicKey of two positive integers is left to .NET too, so what is accepted or refused is
/// decided as before. The AppContext switch <c>Scep.Protocol.DisableOpenSslRsaKeyImport</c> turns it off.
/// </para>
/// </remarks>
internal static unsafe class OpenSslRsaKeyImport
{
    /// <summary>The AppContext switch that turns the shortcut off (true: always import as .NET does).</summary>
    public const string DisableSwitch = "Scep.Protocol.DisableOpenSslRsaKeyImport";

    private const int EvpPkeyRsa = 6; // NID_rsaEncryption

    private static readonly Lock s_initLock = new();
    private static volatile int s_state; // 0 unknown, 1 on and checked, 2 on and not yet checked, 3 off
    private static delegate* unmanaged<int, nint, byte**, nint, nint> s_d2iPublicKey;
    private static delegate* unmanaged<nint, void> s_evpPkeyFree;
    private static delegate* unmanaged<void> s_errClearError;

    /// <summary>Whether the shortcut may be used in a process with these facts (pure; the decision, testable).</summary>
    /// <param name="isLinux">Whether the process runs on Linux.</param>
    /// <param name="openSslVersion">.NET's <see cref="SafeEvpPKeyHandle.OpenSslVersion"/> (OPENSSL_VERSION_NUMBER), or 0 when unknown.</param>
    /// <param name="disabled">Whether <see cref="DisableSwitch"/> is set to true.</param>
    public static bool IsApplicable(bool isLinux, long openSslVersion, bool disabled) =>
        isLinux && !disabled && (openSslVersion >> 28) == 3;

    /// <summary>
    /// The key of a DER RSAPublicKey (RFC 8017 A.1.1), or null when the shortcut does not apply here or to this
    /// input; the caller then imports the key as .NET does.
    /// </summary>
    public static RSA? TryImport(ReadOnlySpan<byte> rsaPublicKey)
    {
        if (!IsOn() || !IsStrictRsaPublicKey(rsaPublicKey))
        {
            return null;
        }

        return Import(rsaPublicKey);
    }

    [SupportedOSPlatformGuard("linux")]
    private static bool IsOn()
    {
        var state = s_state;
        if (state == 0)
        {
            state = Initialize();
        }

        return state is 1 or 2;
    }

    private static int Initialize()
    {
        lock (s_initLock)
        {
            if (s_state != 0)
            {
                return s_state;
            }

            var state = 3;
            try
            {
                var disabled = AppContext.TryGetSwitch(DisableSwitch, out var value) && value;
                if (OperatingSystem.IsLinux()
                    && IsApplicable(isLinux: true, SafeEvpPKeyHandle.OpenSslVersion, disabled)
                    && NativeLibrary.TryLoad("libcrypto.so.3", out var library)
                    && NativeLibrary.TryGetExport(library, "d2i_PublicKey", out var d2i)
                    && NativeLibrary.TryGetExport(library, "EVP_PKEY_free", out var free)
                    && NativeLibrary.TryGetExport(library, "ERR_clear_error", out var clear))
                {
                    s_d2iPublicKey = (delegate* unmanaged<int, nint, byte**, nint, nint>)d2i;
                    s_evpPkeyFree = (delegate* unmanaged<nint, void>)free;
                    s_errClearError = (delegate* unmanaged<void>)clear;
                    state = 2;
                }
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException or PlatformNotSupportedException or CryptographicException or TypeInitializationException)
            {
                state = 3;
            }

            s_state = state;
            return state;
        }
    }

    [SupportedOSPlatform("linux")]
    private static RSA? Import(ReadOnlySpan<byte> rsaPublicKey)
    {
        RSA? rsa = null;
        try
        {
            nint pkey;
            fixed (byte* start = rsaPublicKey)
            {
                var cursor = start;
                pkey = s_d2iPublicKey(EvpPkeyRsa, 0, &cursor, rsaPublicKey.Length);
                if (pkey == 0)
                {
                    s_errClearError();
                    return null;
                }

                if (cursor != start + rsaPublicKey.Length)
                {
                    s_evpPkeyFree(pkey);
                    return null;
                }
            }

            // The handle owns pkey; RSAOpenSsl takes its own reference, so disposing the handle here is right.
            using (var handle = new SafeEvpPKeyHandle(pkey, ownsHandle: true))
            {
                rsa = new RSAOpenSsl(handle);
            }

            if (s_state == 2)
            {
                // The first key: .NET must read back exactly what was imported, or this is not its library.
                if (!rsa.ExportRSAPublicKey().AsSpan().SequenceEqual(rsaPublicKey))
                {
                    TurnOff();
                    rsa.Dispose();
                    return null;
                }

                s_state = 1;
            }

            return rsa;
        }
        catch (Exception e) when (e is CryptographicException or EntryPointNotFoundException or PlatformNotSupportedException)
        {
            rsa?.Dispose();
            TurnOff();
            return null;
        }
    }

    private static void TurnOff() => s_state = 3;

    /// <summary>A strict DER RSAPublicKey: SEQUENCE { modulus INTEGER, publicExponent INTEGER }, both positive, nothing after.</summary>
    private static bool IsStrictRsaPublicKey(ReadOnlySpan<byte> der)
    {
        try
        {
            AsnDecoder.ReadSequence(der, AsnEncodingRules.DER, out var offset, out var length, out var consumed);
            if (consumed != der.Length)
            {
                return false;
            }

            var body = der.Slice(offset, length);
            var modulus = AsnDecoder.ReadIntegerBytes(body, AsnEncodingRules.DER, out var modulusLength);
            var exponent = AsnDecoder.ReadIntegerBytes(body[modulusLength..], AsnEncodingRules.DER, out var exponentLength);
            return modulusLength + exponentLength == body.Length
                && IsPositive(modulus)
                && IsPositive(exponent);
        }
        catch (AsnContentException)
        {
            return false;
        }
    }

    // DER integers are minimal, so a positive one has its top bit clear and is not the single octet zero.
    private static bool IsPositive(ReadOnlySpan<byte> integer) =>
        (integer[0] & 0x80) == 0 && !(integer.Length == 1 && integer[0] == 0);
}
