using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Tests.Infrastructure;

/// <summary>One PKIOperation the capture server received: how it came, its raw bytes and the decoded message.</summary>
/// <param name="Method">GET or POST.</param>
/// <param name="HttpVersion">HTTP/1.0 or HTTP/1.1.</param>
/// <param name="Target">The request target as sent (path and raw query).</param>
/// <param name="ContentType">The request's Content-Type header (POST), or null.</param>
/// <param name="Bytes">The pkiMessage: the POST body, or the GET message parameter decoded with <see cref="ScepBase64.DecodeQueryValue"/>.</param>
/// <param name="Message">The decoded message, or null when <see cref="PkiMessage.Decode"/> refused the bytes.</param>
public sealed record CapturedPkiOperation(string Method, string HttpVersion, string Target, string? ContentType, byte[] Bytes, PkiMessage? Message);

/// <summary>One HTTP exchange, for diagnostics and for asserting what a client asked in which order.</summary>
/// <param name="Method">The request method.</param>
/// <param name="Target">The request target as sent.</param>
/// <param name="Operation">The operation parameter, or null.</param>
/// <param name="Status">The status code of the answer.</param>
public sealed record HttpExchange(string Method, string Target, string? Operation, int Status);

/// <summary>
/// A tiny SCEP endpoint for tests, built only on the codecs: HTTP/1.0 and 1.1 on 127.0.0.1 on a port the
/// operating system picks. Answers GetCACaps (configurable text), GetCACert (the given CA through
/// <see cref="CaCertificates"/>) and PKIOperation by GET (message read from the raw query) or POST; every
/// PKIOperation is recorded and answered with whatever the test's delegate returns. Each connection
/// carries one request and is closed after the answer (<c>Connection: close</c>).
/// </summary>
public sealed class CaptureScepServer : IAsyncDisposable
{
    private const int MaxHeaderBytes = 64 * 1024;
    private const int MaxBodyBytes = 4 * 1024 * 1024;
    private static readonly TimeSpan ConnectionTimeout = TimeSpan.FromSeconds(30);

    private readonly TcpListener _listener;
    private readonly Func<CapturedPkiOperation, PkiMessage> _reply;
    private readonly CaCertificates _caCertificates;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly object _gate = new();
    private readonly List<CapturedPkiOperation> _operations = [];
    private readonly List<HttpExchange> _exchanges = [];
    private readonly List<Exception> _errors = [];
    private readonly List<Task> _connections = [];

    /// <summary>Starts listening on 127.0.0.1 at a free port.</summary>
    /// <param name="caCertificates">What GetCACert returns (one certificate: DER; several: certificates-only PKCS#7).</param>
    /// <param name="reply">Builds the CertRep for each PKIOperation; an exception becomes HTTP 500 and is kept in <see cref="Errors"/>.</param>
    /// <param name="capabilities">The GetCACaps body.</param>
    public CaptureScepServer(IEnumerable<X509Certificate2> caCertificates, Func<CapturedPkiOperation, PkiMessage> reply, string capabilities)
    {
        ArgumentNullException.ThrowIfNull(reply);
        _caCertificates = CaCertificates.Create(caCertificates);
        _reply = reply;
        Capabilities = capabilities;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync(_stop.Token);
    }

    /// <summary>The port the operating system gave us.</summary>
    public int Port { get; }

    /// <summary>The SCEP URL (the RFC's default path; the server ignores the path).</summary>
    public string Url => $"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/cgi-bin/pkiclient.exe";

    /// <summary>The GetCACaps body; may be changed between requests.</summary>
    public string Capabilities { get; set; }

    /// <summary>Every PKIOperation received, in order of arrival.</summary>
    public IReadOnlyList<CapturedPkiOperation> Operations
    {
        get
        {
            lock (_gate)
            {
                return [.. _operations];
            }
        }
    }

    /// <summary>Every HTTP exchange, in order of completion.</summary>
    public IReadOnlyList<HttpExchange> Exchanges
    {
        get
        {
            lock (_gate)
            {
                return [.. _exchanges];
            }
        }
    }

    /// <summary>Exceptions thrown while serving (by the reply delegate or by a malformed request).</summary>
    public IReadOnlyList<Exception> Errors
    {
        get
        {
            lock (_gate)
            {
                return [.. _errors];
            }
        }
    }

    /// <summary>A one-line-per-request summary for assertion messages.</summary>
    public string Describe() =>
        string.Join("; ", Exchanges.Select(e => $"{e.Method} {e.Target[..Math.Min(e.Target.Length, 120)]} -> {e.Status}"))
        + (Errors.Count == 0 ? string.Empty : " errors: " + string.Join(" | ", Errors.Select(e => e.Message)));

    /// <summary>Stops listening and waits for open connections to finish.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _acceptLoop;
        }
        catch (OperationCanceledException)
        {
        }

        Task[] open;
        lock (_gate)
        {
            open = [.. _connections];
        }

        await Task.WhenAll(open.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync(CancellationToken cancellation)
    {
        while (!cancellation.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(cancellation);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            var connection = ServeAsync(client, cancellation);
            lock (_gate)
            {
                _connections.RemoveAll(t => t.IsCompleted);
                _connections.Add(connection);
            }
        }
    }

    private async Task ServeAsync(TcpClient client, CancellationToken stopping)
    {
        using var _ = client;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(ConnectionTimeout);
        var cancellation = timeout.Token;
        try
        {
            var stream = client.GetStream();
            var request = await HttpRequest.ReadAsync(stream, cancellation);
            if (request is null)
            {
                return;
            }

            if (request.ExpectsContinue)
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 100 Continue\r\n\r\n"), cancellation);
                await request.ReadBodyAsync(stream, cancellation);
            }

            var (status, contentType, body) = Answer(request);
            lock (_gate)
            {
                _exchanges.Add(new HttpExchange(request.Method, request.Target, request.Operation, status));
            }

            var head = new StringBuilder()
                .Append(request.Version).Append(' ').Append(status.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(ReasonPhrase(status)).Append("\r\n")
                .Append("Content-Type: ").Append(contentType).Append("\r\n")
                .Append("Content-Length: ").Append(body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n")
                .Append("Connection: close\r\n\r\n");
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), cancellation);
            if (request.Method != "HEAD")
            {
                await stream.WriteAsync(body, cancellation);
            }

            await stream.FlushAsync(cancellation);
            client.Client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or FormatException or OverflowException)
        {
            if (!stopping.IsCancellationRequested)
            {
                lock (_gate)
                {
                    _errors.Add(e);
                }
            }
        }
    }

    private (int Status, string ContentType, byte[] Body) Answer(HttpRequest request)
    {
        var operation = request.Operation;
        if (request.Method == "POST")
        {
            // RFC 8894 §4.1: the only POST is PKIOperation; the operation parameter is not relied on.
            return PkiOperation(request, request.Body);
        }

        if (request.Method is not ("GET" or "HEAD"))
        {
            return (405, "text/plain", Encoding.ASCII.GetBytes("method not allowed\n"));
        }

        if (string.Equals(operation, ScepOperation.GetCACaps, StringComparison.OrdinalIgnoreCase))
        {
            return (200, ScepContentTypes.Capabilities, Encoding.ASCII.GetBytes(Capabilities));
        }

        if (string.Equals(operation, ScepOperation.GetCACert, StringComparison.OrdinalIgnoreCase))
        {
            return (200, _caCertificates.ContentType, _caCertificates.Encode());
        }

        if (string.Equals(operation, ScepOperation.PKIOperation, StringComparison.OrdinalIgnoreCase))
        {
            var message = request.RawQueryValue("message");
            if (message is null)
            {
                return (400, "text/plain", Encoding.ASCII.GetBytes("missing message\n"));
            }

            byte[] bytes;
            try
            {
                bytes = ScepBase64.DecodeQueryValue(message);
            }
            catch (ScepException e)
            {
                RecordError(e);
                return (400, "text/plain", Encoding.ASCII.GetBytes("bad message\n"));
            }

            return PkiOperation(request, bytes);
        }

        return (400, "text/plain", Encoding.ASCII.GetBytes("unsupported operation\n"));
    }

    private (int Status, string ContentType, byte[] Body) PkiOperation(HttpRequest request, byte[] bytes)
    {
        PkiMessage? decoded = null;
        ScepException? decodeError = null;
        try
        {
            decoded = PkiMessage.Decode(bytes);
        }
        catch (ScepException e)
        {
            decodeError = e;
        }

        var captured = new CapturedPkiOperation(request.Method, request.Version, request.Target, request.Header("content-type"), bytes, decoded);
        lock (_gate)
        {
            _operations.Add(captured);
        }

        if (decodeError is not null)
        {
            RecordError(decodeError);
            return (400, "text/plain", Encoding.ASCII.GetBytes("not a pkiMessage\n"));
        }

        try
        {
            return (200, ScepContentTypes.PkiMessage, _reply(captured).Encode());
        }
#pragma warning disable CA1031 // Any failure of the test's delegate is reported through Errors and HTTP 500.
        catch (Exception e)
#pragma warning restore CA1031
        {
            RecordError(e);
            return (500, "text/plain", Encoding.ASCII.GetBytes("reply delegate failed\n"));
        }
    }

    private void RecordError(Exception e)
    {
        lock (_gate)
        {
            _errors.Add(e);
        }
    }

    private static string ReasonPhrase(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        405 => "Method Not Allowed",
        413 => "Payload Too Large",
        _ => "Internal Server Error",
    };

    /// <summary>An HTTP/1.x request head and body, read from a stream.</summary>
    private sealed class HttpRequest
    {
        private readonly Dictionary<string, string> _headers;
        private readonly List<byte> _pending;

        private HttpRequest(string method, string target, string version, Dictionary<string, string> headers, List<byte> pending)
        {
            Method = method;
            Target = target;
            Version = version;
            _headers = headers;
            _pending = pending;
            var query = target.IndexOf('?', StringComparison.Ordinal);
            RawQuery = query < 0 ? string.Empty : target[(query + 1)..];
            Operation = RawQueryValue("operation") is { } op ? Uri.UnescapeDataString(op) : null;
        }

        public string Method { get; }

        public string Target { get; }

        public string Version { get; }

        public string RawQuery { get; }

        public string? Operation { get; }

        public byte[] Body { get; private set; } = [];

        public bool ExpectsContinue { get; private set; }

        public string? Header(string name) => _headers.TryGetValue(name, out var value) ? value : null;

        /// <summary>The raw (still percent-encoded) value of the first query parameter named <paramref name="name"/>.</summary>
        public string? RawQueryValue(string name)
        {
            foreach (var pair in RawQuery.Split('&'))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                var key = equals < 0 ? pair : pair[..equals];
                if (string.Equals(Uri.UnescapeDataString(key), name, StringComparison.OrdinalIgnoreCase))
                {
                    return equals < 0 ? string.Empty : pair[(equals + 1)..];
                }
            }

            return null;
        }

        /// <summary>Reads the head and, unless the client waits for 100 Continue, the body. Null when the peer closed without a request.</summary>
        public static async Task<HttpRequest?> ReadAsync(Stream stream, CancellationToken cancellation)
        {
            var buffer = new byte[8192];
            var data = new List<byte>(8192);
            int headEnd;
            while ((headEnd = FindHeadEnd(data)) < 0)
            {
                if (data.Count > MaxHeaderBytes)
                {
                    throw new FormatException("The request head is too large.");
                }

                var read = await stream.ReadAsync(buffer, cancellation);
                if (read == 0)
                {
                    return data.Count == 0 ? null : throw new FormatException("The connection closed inside the request head.");
                }

                data.AddRange(buffer.AsSpan(0, read));
            }

            var head = Encoding.Latin1.GetString(data.GetRange(0, headEnd).ToArray());
            var separator = data[headEnd] == '\r' ? 4 : 2;
            var pending = data.GetRange(headEnd + separator, data.Count - headEnd - separator);
            var lines = head.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
            var requestLine = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (requestLine.Length != 3 || !requestLine[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
            {
                throw new FormatException($"Not an HTTP/1.x request line: {lines[0]}");
            }

            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var line in lines.Skip(1))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
                }
            }

            var request = new HttpRequest(requestLine[0].ToUpperInvariant(), requestLine[1], requestLine[2], headers, pending);
            if (request.Version == "HTTP/1.1" && string.Equals(request.Header("expect"), "100-continue", StringComparison.OrdinalIgnoreCase) && pending.Count == 0)
            {
                request.ExpectsContinue = true;
                return request;
            }

            await request.ReadBodyAsync(stream, cancellation);
            return request;
        }

        public async Task ReadBodyAsync(Stream stream, CancellationToken cancellation)
        {
            var source = new PendingStream(_pending, stream);
            if (string.Equals(Header("transfer-encoding"), "chunked", StringComparison.OrdinalIgnoreCase))
            {
                var body = new List<byte>();
                while (true)
                {
                    var sizeLine = await source.ReadLineAsync(cancellation);
                    var size = int.Parse(sizeLine.Split(';')[0].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    if (size == 0)
                    {
                        while ((await source.ReadLineAsync(cancellation)).Length > 0)
                        {
                            // trailers
                        }

                        break;
                    }

                    if (body.Count + size > MaxBodyBytes)
                    {
                        throw new FormatException("The request body is too large.");
                    }

                    body.AddRange(await source.ReadExactlyAsync(size, cancellation));
                    await source.ReadLineAsync(cancellation);
                }

                Body = [.. body];
                return;
            }

            var length = Header("content-length") is { } text ? int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture) : 0;
            if (length > MaxBodyBytes)
            {
                throw new FormatException("The request body is too large.");
            }

            Body = await source.ReadExactlyAsync(length, cancellation);
        }

        private static int FindHeadEnd(List<byte> data)
        {
            for (var i = 0; i + 1 < data.Count; i++)
            {
                if (data[i] == '\n' && data[i + 1] == '\n')
                {
                    return i;
                }

                if (i + 3 < data.Count && data[i] == '\r' && data[i + 1] == '\n' && data[i + 2] == '\r' && data[i + 3] == '\n')
                {
                    return i;
                }
            }

            return -1;
        }
    }

    /// <summary>Bytes already read past the request head, then the network stream.</summary>
    private sealed class PendingStream(List<byte> pending, Stream stream)
    {
        private readonly byte[] _one = new byte[1];

        public async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancellation)
        {
            var result = new byte[count];
            var fromPending = Math.Min(count, pending.Count);
            pending.CopyTo(0, result, 0, fromPending);
            pending.RemoveRange(0, fromPending);
            await stream.ReadExactlyAsync(result.AsMemory(fromPending), cancellation);
            return result;
        }

        public async Task<string> ReadLineAsync(CancellationToken cancellation)
        {
            var line = new StringBuilder();
            while (true)
            {
                byte b;
                if (pending.Count > 0)
                {
                    b = pending[0];
                    pending.RemoveAt(0);
                }
                else
                {
                    await stream.ReadExactlyAsync(_one, cancellation);
                    b = _one[0];
                }

                if (b == '\n')
                {
                    return line.ToString().TrimEnd('\r');
                }

                line.Append((char)b);
            }
        }
    }
}
