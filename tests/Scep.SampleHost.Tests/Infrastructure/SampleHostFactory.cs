using System;
using System.Collections.Generic;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Scep.SampleHost.Tests.Infrastructure;

/// <summary>
/// The sample host in process (TestServer) on a data folder and database of the test's choosing, with the
/// appsettings.json aliases plus the test's extra settings. RSA 2048 for the CA, to keep start-up quick.
/// </summary>
public sealed class SampleHostFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;

    public SampleHostFactory(string dataDirectory, string? postgresConnectionString = null, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        _services = services;
        DataDirectory = dataDirectory;
        _settings = new Dictionary<string, string?>
        {
            ["SampleHost:DataDirectory"] = dataDirectory,
            ["SampleHost:CaKeySize"] = "2048",
            ["SampleHost:CaPassphrase"] = "test-passphrase",
            ["SampleHost:RequestLogging"] = "false",
            ["ConnectionStrings:Scep"] = postgresConnectionString ?? string.Empty,
            ["Scep:Aliases:approve:Mode"] = "Ca",
            ["SampleHost:ApprovalAliases:0"] = "approve",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            // null removes a default (the approval alias, for instance)
            if (value is null)
            {
                _settings.Remove(key);
            }
            else
            {
                _settings[key] = value;
            }
        }
    }

    public string DataDirectory { get; }

    public Administration Admin => Services.GetRequiredService<Administration>();

    public CaKeyRing Cas => Services.GetRequiredService<CaKeyRing>();

    public ScepTestClient Client(string path = "/scep/pkiclient.exe") => new(CreateClient(), path, Cas);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(_settings));
        if (_services is not null)
        {
            builder.ConfigureTestServices(_services);
        }
    }
}
