using System;
using System.Formats.Asn1;
using System.Security.Cryptography;

namespace Scep.Protocol.Pkcs11;

/// <summary>
/// An EC key's public half in PKCS#11 form (PKCS#11 v2.40 Mechanisms §2.3.3): CKA_EC_PARAMS, the DER of the named
/// curve's OID (RFC 5480 §2.1.1), and CKA_EC_POINT, the uncompressed point (SEC 1 §2.3.3) inside a DER OCTET STRING.
/// </summary>
internal static class EcPublicKey
{
    private const string P256 = "1.2.840.10045.3.1.7";
    private const string P384 = "1.3.132.0.34";
    private const string P521 = "1.3.132.0.35";

    public static byte[] NamedCurveParameters(ECCurve curve)
    {
        var oid = curve.Oid?.Value ?? throw new ArgumentException("The curve must be a named curve.", nameof(curve));
        if (oid is not (P256 or P384 or P521))
        {
            throw new ArgumentException($"The curve {curve.Oid?.FriendlyName ?? oid} is not P-256, P-384 or P-521.", nameof(curve));
        }

        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteObjectIdentifier(oid);
        return writer.Encode();
    }

    public static ECParameters Read(byte[] ecParameters, byte[] ecPoint)
    {
        try
        {
            var oid = AsnDecoder.ReadObjectIdentifier(ecParameters, AsnEncodingRules.DER, out _);
            var size = oid switch
            {
                P256 => 32,
                P384 => 48,
                P521 => 66,
                _ => throw new CryptographicException($"The token's EC key is on the curve {oid}, not P-256, P-384 or P-521."),
            };
            // Some tokens give the point bare; the standard form wraps it in an OCTET STRING.
            var point = ecPoint.Length == (2 * size) + 1 && ecPoint[0] == 0x04
                ? ecPoint
                : AsnDecoder.ReadOctetString(ecPoint, AsnEncodingRules.BER, out _);
            if (point.Length != (2 * size) + 1 || point[0] != 0x04)
            {
                throw new CryptographicException("The token's EC point is not an uncompressed point of its curve.");
            }

            return new ECParameters
            {
                Curve = ECCurve.CreateFromValue(oid),
                Q = new ECPoint { X = point[1..(size + 1)], Y = point[(size + 1)..] },
            };
        }
        catch (AsnContentException e)
        {
            throw new CryptographicException("The token's EC public key attributes cannot be read.", e);
        }
    }
}
