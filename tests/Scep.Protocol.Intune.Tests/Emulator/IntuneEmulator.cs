using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Scep.Protocol.Intune.Tests.Emulator;

/// <summary>
/// Microsoft Entra ID, Microsoft Graph and Intune's ScepRequestValidationFEService, emulated on one real Kestrel
/// server over TLS on 127.0.0.1, from the documented wire format. The source of each field is cited where it is read
/// or written: "reference" is microsoft/Intune-Resource-Access, src/CsrValidation/csharp/ScepValidation; the token
/// endpoint follows the Microsoft identity platform's client-credentials flow (OAuth 2.0, RFC 6749 §4.4, with the
/// client assertion of RFC 7523 for certificates). What it cannot prove: docs/intune.md.
/// </summary>
public sealed class IntuneEmulator : IAsyncDisposable
{
    public const string Tenant = "contoso.onmicrosoft.com";
    public const string ClientId = "6e0c2b1a-3f4d-4e5a-9b8c-7d6e5f4a3b2c";
    public const string ClientSecret = "emulated-client-secret-SECRET";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, string> _tokens = new();
    private int _issued;

    private IntuneEmulator(WebApplication app, X509Certificate2 certificate)
    {
        _app = app;
        Certificate = certificate;
    }

    /// <summary>The TLS certificate the emulator serves (the tests' HTTP handler trusts exactly this one).</summary>
    public X509Certificate2 Certificate { get; }

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The certificate a client assertion must be signed with (null: only the secret is accepted).</summary>
    public X509Certificate2? ClientCertificate { get; set; }

    /// <summary>The <c>code</c> validateRequest answers (reference: IntuneScepServiceException.ErrorCode).</summary>
    public string ValidationCode { get; set; } = "Success";

    /// <summary>An HTTP status every ScepActions call answers instead (429 throttling, 500, 503), or null.</summary>
    public int? ServiceStatus { get; set; }

    /// <summary>A raw body every ScepActions call answers instead (garbage, huge), or null.</summary>
    public string? ServiceBody { get; set; }

    /// <summary>When set, ScepActions calls wait for it before answering (a slow service).</summary>
    public TaskCompletionSource? Stall { get; set; }

    /// <summary>An HTTP status Graph's discovery answers instead, or null.</summary>
    public int? GraphStatus { get; set; }

    /// <summary>Whether Graph lists the validation service.</summary>
    public bool ListsValidationService { get; set; } = true;

    /// <summary>The service URI Graph lists (default: this emulator's).</summary>
    public Uri? ServiceUriOverride { get; set; }

    public List<RecordedCall> Calls { get; } = [];

    public List<Dictionary<string, string>> TokenRequests { get; } = [];

    /// <summary>Completed with each notification as it arrives.</summary>
    public ConcurrentQueue<RecordedCall> Notifications { get; } = new();

    public TaskCompletionSource<RecordedCall> NextNotification { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Every token issued so far stops working (401), as an expired or revoked one.</summary>
    public void RevokeTokens() => _tokens.Clear();

    public static async Task<IntuneEmulator> StartAsync()
    {
        var certificate = TlsCertificate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
        var app = builder.Build();
        var emulator = new IntuneEmulator(app, certificate);
        emulator.Map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        emulator.BaseUrl = new Uri(address.Replace("127.0.0.1", "localhost", StringComparison.Ordinal) + "/");
        return emulator;
    }

    public async ValueTask DisposeAsync()
    {
        Stall?.TrySetResult();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Certificate.Dispose();
    }

    /// <summary>The options of a client of this emulator.</summary>
    public void Configure(IntuneOptions options)
    {
        options.TenantId = Tenant;
        options.ClientId = ClientId;
        options.ClientSecret = ClientSecret;
        options.AuthorityHost = BaseUrl;
        options.GraphEndpoint = BaseUrl;
        options.ProviderNameAndVersion = "Scep.Protocol.Tests/1.0";
        options.Aliases.Add("intune");
        var pinned = Certificate.RawData;
        options.HttpHandlerFactory = () => new System.Net.Http.SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && presented.GetRawCertData().AsSpan().SequenceEqual(pinned) },
        };
    }

    private void Map(WebApplication app)
    {
        app.MapPost("/{tenant}/oauth2/v2.0/token", TokenAsync);
        app.MapGet("/v1.0/servicePrincipals/appId={appId}/endpoints", Discovery);
        app.MapPost("/ScepRequestValidationFEService/ScepActions/{action}", ScepActionAsync);
    }

    /// <summary>
    /// Client credentials (RFC 6749 §4.4): grant_type=client_credentials, client_id, scope, and client_secret or a
    /// client_assertion (RFC 7523 §2.2, client_assertion_type urn:ietf:params:oauth:client-assertion-type:jwt-bearer).
    /// The answer: token_type, expires_in, ext_expires_in, access_token (the identity platform's documented response);
    /// a refusal: error invalid_client with an AADSTS description, HTTP 401.
    /// </summary>
    private async Task<IResult> TokenAsync(HttpContext context, string tenant)
    {
        var form = (await context.Request.ReadFormAsync()).ToDictionary(f => f.Key, f => f.Value.ToString());
        lock (TokenRequests)
        {
            TokenRequests.Add(form);
        }

        var clientOk = tenant == Tenant && form.GetValueOrDefault("grant_type") == "client_credentials" && form.GetValueOrDefault("client_id") == ClientId
            && (form.GetValueOrDefault("client_secret") == ClientSecret || AssertionIsValid(form));
        if (!clientOk)
        {
            return Results.Json(new { error = "invalid_client", error_description = "AADSTS7000215: Invalid client secret provided.", error_codes = new[] { 7000215 } }, statusCode: 401);
        }

        var token = $"emulated-token-{System.Threading.Interlocked.Increment(ref _issued)}";
        _tokens[token] = form.GetValueOrDefault("scope") ?? string.Empty;
        return Results.Json(new { token_type = "Bearer", expires_in = 3599, ext_expires_in = 3599, access_token = token });
    }

    /// <summary>
    /// Microsoft Graph, GET v1.0/servicePrincipals/appId={id}/endpoints with a Graph token (reference:
    /// IntuneServiceLocationProvider.cs, RefreshServiceMapAsync): value[] of endpoints with providerName and uri.
    /// </summary>
    private IResult Discovery(HttpContext context, string appId)
    {
        Record(context, "graph", null);
        if (GraphStatus is { } status)
        {
            return Results.StatusCode(status);
        }

        if (!Authorized(context, "https://graph.microsoft.com/.default", BaseUrl + ".default") || appId != "0000000a-0000-0000-c000-000000000000")
        {
            return Results.StatusCode(401);
        }

        var endpoints = new List<object>
        {
            new { capability = "Intune", providerId = "11111111-0000-0000-0000-000000000001", providerName = "SomeOtherService", uri = BaseUrl + "Other/" },
        };
        if (ListsValidationService)
        {
            endpoints.Add(new { capability = "Intune", providerId = "11111111-0000-0000-0000-000000000002", providerName = "ScepRequestValidationFEService", uri = (ServiceUriOverride ?? new Uri(BaseUrl, "ScepRequestValidationFEService")).ToString() });
        }

        return Results.Json(new { value = endpoints });
    }

    /// <summary>
    /// The ScepActions calls (reference: IntuneScepValidator.cs and IntuneClient.cs): POST with a bearer token for
    /// Intune's resource, headers client-request-id and api-version 2018-02-20, JSON {"request": {...}} or
    /// {"notification": {...}}; the answer {"code": ..., "errorDescription": ...}.
    /// </summary>
    private async Task<IResult> ScepActionAsync(HttpContext context, string action)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body);
        var call = Record(context, action, body);
        if (action is "successNotification" or "failureNotification")
        {
            Notifications.Enqueue(call);
            var next = NextNotification;
            NextNotification = new(TaskCreationOptions.RunContinuationsAsynchronously);
            next.TrySetResult(call);
        }

        if (Stall is { } stall)
        {
            await stall.Task;
        }

        if (!Authorized(context, "https://api.manage.microsoft.com//.default") || context.Request.Headers["api-version"] != "2018-02-20"
            || !Guid.TryParse(context.Request.Headers["client-request-id"], out _))
        {
            return Results.StatusCode(401);
        }

        if (ServiceStatus is { } status)
        {
            context.Response.Headers.RetryAfter = "30";
            return Results.StatusCode(status);
        }

        if (ServiceBody is { } raw)
        {
            return Results.Text(raw, "application/json");
        }

        var code = action == "validateRequest" ? ValidationCode : "Success";
        return Results.Json(new { code, errorDescription = code == "Success" ? string.Empty : $"The request failed: {code}." });
    }

    private bool Authorized(HttpContext context, params string[] scopes)
    {
        var header = context.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.Ordinal) && _tokens.TryGetValue(header[7..], out var scope) && scopes.Contains(scope);
    }

    /// <summary>RFC 7523 §3: a JWT whose iss and sub are the client id, signed (RS256 or PS256) by the registered certificate.</summary>
    private bool AssertionIsValid(Dictionary<string, string> form)
    {
        if (ClientCertificate is null || form.GetValueOrDefault("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
            || form.GetValueOrDefault("client_assertion") is not { } jwt || jwt.Split('.') is not { Length: 3 } parts)
        {
            return false;
        }

        var header = JsonNode.Parse(Base64Url(parts[0]))!;
        var payload = JsonNode.Parse(Base64Url(parts[1]))!;
        using var key = ClientCertificate.GetRSAPublicKey()!;
        var signed = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        var padding = (string?)header["alg"] == "PS256" ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
        return (string?)payload["iss"] == ClientId && (string?)payload["sub"] == ClientId
            && key.VerifyData(signed, Base64Url(parts[2]), HashAlgorithmName.SHA256, padding);
    }

    private RecordedCall Record(HttpContext context, string action, JsonNode? body)
    {
        var call = new RecordedCall(action, context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body);
        lock (Calls)
        {
            Calls.Add(call);
        }

        return call;
    }

    private static byte[] Base64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded + new string('=', (4 - padded.Length % 4) % 4));
    }

    private static X509Certificate2 TlsCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12, string.Empty), string.Empty);
    }
}

/// <summary>One call the emulator received.</summary>
public sealed record RecordedCall(string Action, IReadOnlyDictionary<string, string> Headers, JsonNode? Body)
{
    public string? Field(string section, string name) => Body?[section]?[name]?.GetValueKind() switch
    {
        JsonValueKind.String => (string?)Body[section]![name],
        JsonValueKind.Number => Body[section]![name]!.ToJsonString(),
        _ => null,
    };
}
