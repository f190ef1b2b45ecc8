using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server.Tests.Transport;

/// <summary>
/// A request body as a web framework hands it over: read-only, not seekable, delivering at most
/// <c>maxPerRead</c> bytes per read (1 is what a chunked upload can look like), optionally without end.
/// Counts what was read.
/// </summary>
public sealed class TestBodyStream(byte[] data, int maxPerRead = int.MaxValue, bool endless = false) : Stream
{
    private long _position;

    /// <summary>The bytes handed out so far.</summary>
    public long BytesRead => _position;

    /// <summary>The calls to read.</summary>
    public int Reads { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        Reads++;
        var count = Math.Min(buffer.Length, maxPerRead);
        if (!endless)
        {
            count = (int)Math.Min(count, data.Length - _position);
        }

        for (var i = 0; i < count; i++)
        {
            buffer[i] = data.Length == 0 ? (byte)0x30 : data[(int)((_position + i) % data.Length)];
        }

        _position += count;
        return count;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
