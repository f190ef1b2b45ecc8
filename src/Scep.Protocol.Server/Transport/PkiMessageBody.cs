using System;
using System.Buffers;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server;

/// <summary>
/// The pkiMessage bytes of a PKIOperation, from either transport (RFC 8894 §4.1): the POST body, or the GET
/// <c>message</c> parameter's base64. The one place where the alias's <see cref="ScepAliasOptions.MaxMessageSize"/> is
/// enforced (413 for POST, 414 for GET). A streamed body is read once into a pooled buffer; the codec copies it once,
/// and the buffer goes back to the pool when this is disposed.
/// </summary>
internal sealed class PkiMessageBody : IDisposable
{
    private byte[]? _pooled;

    private PkiMessageBody(ReadOnlyMemory<byte> bytes, byte[]? pooled)
    {
        Bytes = bytes;
        _pooled = pooled;
    }

    /// <summary>The message bytes; valid until <see cref="Dispose"/>.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    public void Dispose()
    {
        if (_pooled is { } pooled)
        {
            _pooled = null;
            ArrayPool<byte>.Shared.Return(pooled);
        }
    }

    /// <summary>Reads the POST body; no body but the 413 to send when it is larger than <paramref name="limit"/>.</summary>
    public static async ValueTask<(PkiMessageBody? Body, ScepHttpResponse? Refusal)> ReadPostAsync(ScepHttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.BodyStream is not { } stream)
        {
            return request.Body.Length > limit ? (null, TooLarge(limit)) : (new PkiMessageBody(request.Body, null), null);
        }

        // A negative length is no declared length (HttpListener reports -1 for a chunked body).
        var declared = request.BodyLength >= 0 ? request.BodyLength : null;
        if (declared > limit)
        {
            return (null, TooLarge(limit));
        }

        // One byte more than the limit tells a body that is too large from one that fills the limit exactly.
        var capacity = limit + 1;
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min((declared ?? 16 * 1024) + 1, capacity));
        var length = 0;
        try
        {
            while (length < capacity)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(buffer.Length * 2L, capacity));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await stream.ReadAsync(buffer.AsMemory(length, Math.Min(buffer.Length, capacity) - length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }
        }
        catch (IOException)
        {
            // A truncated or reset upload: the client's fault, not the server's (a cancellation still propagates).
            ArrayPool<byte>.Shared.Return(buffer);
            return (null, ScepHttpResponse.Error(400, "The request body could not be read to its end."));
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        if (length > limit)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return (null, TooLarge(limit));
        }

        return (new PkiMessageBody(buffer.AsMemory(0, length), buffer), null);
    }

    /// <summary>Decodes the GET <c>message</c> (lenient base64, see <see cref="DeviceQuirks.AppleUnescapedPlus"/>); no body but the 400 or 414 to send when it is unusable.</summary>
    public static (PkiMessageBody? Body, ScepHttpResponse? Refusal) ReadGet(string rawMessage, int limit)
    {
        try
        {
            return (new PkiMessageBody(ScepBase64.DecodeQueryValue(rawMessage, limit), null), null);
        }
        catch (ScepException e)
        {
            var status = e.Reason == ScepError.LimitExceeded ? 414 : 400;
            return (null, ScepHttpResponse.Error(status, "The 'message' parameter is not usable: " + e.Message));
        }
    }

    private static ScepHttpResponse TooLarge(int limit) => ScepHttpResponse.Error(413, $"The message is larger than {limit} bytes.");
}
