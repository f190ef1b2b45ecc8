using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Scep.Protocol.AspNetCore.Tests.Infrastructure;
using Scep.Protocol.Server;

namespace Scep.Protocol.AspNetCore.Tests.Ndes;

/// <summary>A <see cref="ScepKestrelHost"/> with an RA alias <c>ndes</c> behind <c>MapNdes</c>, user <see cref="User"/> and API key <see cref="ApiKey"/>.</summary>
public static class NdesTestHost
{
    public const string User = "fleet-svc";
    public const string UserPassword = "S3cret-for-ndes";
    public const string ApiKey = "key-0123456789abcdef";

    public static Task<ScepKestrelHost> StartAsync(Action<NdesOptions>? configure = null) =>
        ScepKestrelHost.StartAsync(
            map: app =>
            {
                ScepKestrelHost.MapSampleHostRoutes(app);
                app.MapNdes();
            },
            configure: options => options.Aliases["ndes"] = new ScepAliasOptions { Mode = ScepOperationMode.Ra },
            services: services => services.AddScepServer().AddScepNdes(options =>
            {
                options.Alias = "ndes";
                options.Users = new Dictionary<string, string>(StringComparer.Ordinal) { [User] = UserPassword };
                options.ApiKeys = [ApiKey];
                options.AllowBasicOverHttp = true;
                configure?.Invoke(options);
            }));

    public static Uri AdminUrl(this ScepKestrelHost host) => new(host.BaseAddress, "certsrv/mscep_admin/");

    public static FakeTimeProvider Clock(this ScepKestrelHost host) => (FakeTimeProvider)host.App.Services.GetRequiredService<TimeProvider>();

    public static async Task<string> ScrapePasswordAsync(this ScepKestrelHost host)
    {
        var scraped = await FleetNdesScraper.FetchAsync(host.Http, host.AdminUrl(), User, UserPassword);
        scraped.Outcome.Should().Be(FleetNdesScraper.Outcome.Password, scraped.Html);
        return scraped.Password;
    }

    public static Task<HttpAnswer> EnrollAsync(this ScepKestrelHost host, Enrollee enrollee, string path = "certsrv/mscep/mscep.dll") =>
        host.PostAsync(path + "?operation=PKIOperation", enrollee.Request.RawData);
}
