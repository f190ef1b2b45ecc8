using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Scep.SampleHost.WebConsole;

/// <summary>Registers and maps the operator's web console (docs/console.md) when <c>Console:Enabled</c> is true.</summary>
internal static class ConsoleHosting
{
    /// <summary>The data folder's subfolder of the cookie protection keys.</summary>
    public const string KeysFolder = "console-keys";

    public static IServiceCollection AddSampleHostConsole(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ConsoleOptions>().Bind(configuration.GetSection(ConsoleOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ConsoleOptions>, ConsoleOptionsValidator>();
        services.AddSingleton<ConsoleLockout>();
        services.AddSingleton<ConsoleUsers>();
        services.AddHttpContextAccessor();
        services.AddRazorPages(options =>
        {
            options.RootDirectory = "/WebConsole/Pages";

            // Every page needs a signed-in user, a page added later too; only the sign-in page is open.
            options.Conventions.AuthorizeFolder("/", ConsolePolicies.View);
            options.Conventions.AllowAnonymousToPage("/SignIn");
        });
        services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "scep-console-csrf";
            options.Cookie.Path = ConsoleOptions.PathBase;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.FormFieldName = "__csrf";
        });
        services.Configure<CookieTempDataProviderOptions>(options =>
        {
            // The notice after an action (never a secret: one-time codes are shown in the action's own answer).
            options.Cookie.Name = "scep-console-notice";
            options.Cookie.Path = ConsoleOptions.PathBase;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });

        // The keys that protect the sign-in and antiforgery cookies live in the data folder, next to the CA, so a
        // restart (or another instance on the same folder) keeps users signed in.
        services.AddDataProtection().SetApplicationName("Scep.SampleHost");
        services.AddOptions<KeyManagementOptions>().Configure<CaBootstrap, ILoggerFactory>((options, ca, loggers) =>
            options.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(Path.Combine(ca.DataDirectory, KeysFolder)), loggers));
        services.AddAuthentication().AddCookie(ConsolePolicies.Scheme, options =>
        {
            options.Cookie.Name = ConsolePolicies.Scheme;
            options.Cookie.Path = ConsoleOptions.PathBase;
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.ExpireTimeSpan = TimeSpan.FromHours(8);
            options.SlidingExpiration = true;
            options.LoginPath = ConsoleOptions.PathBase + "/sign-in";
            options.LogoutPath = ConsoleOptions.PathBase + "/sign-out";
            options.AccessDeniedPath = ConsoleOptions.PathBase + "/sign-in";
            options.Events.OnRedirectToAccessDenied = context =>
            {
                // A role below the page's: 403, not a redirect to the sign-in page of a user who is signed in.
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            };
            options.Events.OnValidatePrincipal = context =>
            {
                // A user removed from the settings, or given another role, is signed out at the next request.
                var users = context.HttpContext.RequestServices.GetRequiredService<ConsoleUsers>();
                var name = context.Principal?.FindFirst(ConsolePolicies.UserClaim)?.Value;
                var role = context.Principal?.FindFirst(ConsolePolicies.RoleClaim)?.Value;
                if (name is null || users.RoleOf(name)?.ToString() != role)
                {
                    context.RejectPrincipal();
                }

                return Task.CompletedTask;
            };
        });
        services.AddAuthorization(ConsolePolicies.Add);
        return services;
    }

    /// <summary>
    /// Data protection loads (and on a first start creates) its key ring in a hosted service at every start; without it
    /// the key ring is made when the console first needs it, so a host without a console makes no keys and logs nothing.
    /// Call after every registration (authentication and antiforgery add data protection again).
    /// </summary>
    public static void LoadConsoleKeysWhenFirstUsed(this IServiceCollection services)
    {
        foreach (var eager in services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Name == "DataProtectionHostedService").ToList())
        {
            services.Remove(eager);
        }
    }

    /// <summary>Maps the console when it is on; otherwise nothing is served under <c>/console</c> (404).</summary>
    public static void MapSampleHostConsole(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<ConsoleOptions>>().Value.Enabled)
        {
            return;
        }

        // The dashboard's failure counts are the meter's since this moment: the listener starts with the console.
        _ = app.Services.GetRequiredService<PrometheusMetrics>();
        app.UseWhen(context => context.Request.Path.StartsWithSegments(ConsoleOptions.PathBase), branch => branch.Use(ConsoleSecurityHeaders.InvokeAsync));
        app.MapGet(ConsoleStyles.Path, ConsoleStyles.Write).AllowAnonymous();
        app.MapRazorPages();
    }
}

/// <summary>The settings' problems, each in one line (the host reports them and exits).</summary>
internal sealed class ConsoleOptionsValidator(IOptions<SampleHostOptions> host) : IValidateOptions<ConsoleOptions>
{
    public ValidateOptionsResult Validate(string? name, ConsoleOptions options)
    {
        var problems = ConsoleUsers.Problems(options, host.Value).ToArray();
        return problems.Length == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
