using System;
using System.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Scep.SampleHost.AdminApi;

/// <summary>Registers and maps the admin REST API (docs/admin-api.md) when <c>AdminApi</c> configures a caller.</summary>
internal static class AdminApiHosting
{
    public static IServiceCollection AddSampleHostAdminApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AdminApiOptions>()
            .Bind(configuration.GetSection(AdminApiOptions.SectionName))
            .Validate<IOptions<SampleHostOptions>>(
                (api, host) => !api.Enabled || host.Value.Store == SampleHostStore.Database,
                "AdminApi needs SampleHost:Store=Database: the admin service and its audit log live in the database.")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<AdminApiOptions>, AdminApiOptionsValidator>();
        services.AddSingleton<AdminCallers>();
        services.AddHttpContextAccessor();
        services.AddProblemDetails();

        // A body or query value that does not bind is a 400 in every environment, never an exception page (which, in
        // Development, would echo the request's headers: its API key).
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(options => options.ThrowOnBadRequest = false);
        services.AddAuthentication().AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, AdminApiAuthentication>(AdminApiAuthentication.SchemeName, null);
        services.AddAuthorization(AdminPolicies.Add);
        services.AddOpenApi("v1", options => options.ShouldInclude = description => description.RelativePath?.StartsWith("admin/api/", StringComparison.Ordinal) == true);
        if (configuration.GetSection($"{AdminApiOptions.SectionName}:ClientCertificates").GetChildren().Any())
        {
            // Client certificates are asked for, and pinned by AdminApiAuthentication, not checked against a trust store:
            // a caller's certificate may be self-signed.
            services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(kestrel => kestrel.ConfigureHttpsDefaults(https =>
            {
                https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                https.ClientCertificateValidation = (_, _, _) => true;
            }));
        }

        return services;
    }

    /// <summary>Maps the API, when it is on; a host without callers serves nothing under <c>/admin/api</c> (404).</summary>
    public static void MapSampleHostAdminApi(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<AdminApiOptions>>().Value.Enabled)
        {
            return;
        }

        // Bodies are bounded before anything reads them, and empty 4xx answers (a body that is not JSON, a query value
        // that is not a number) get a problem details body.
        app.UseWhen(context => context.Request.Path.StartsWithSegments(AdminApiOptions.PathBase), branch =>
        {
            branch.Use(AdminApiBodyLimit.InvokeAsync);
            branch.UseStatusCodePages();
        });
        AdminApiEndpoints.Map(app); // authenticated and authorized by the host's one step (SampleHostServer)
        app.MapOpenApi(AdminApiOptions.PathBase + "/openapi/{documentName}.json").RequireAuthorization(AdminPolicies.View);
    }
}

/// <summary>The settings' problems, each in one line (the host reports the first and exits).</summary>
internal sealed class AdminApiOptionsValidator : IValidateOptions<AdminApiOptions>
{
    public ValidateOptionsResult Validate(string? name, AdminApiOptions options)
    {
        var problems = AdminCallers.Problems(options).ToArray();
        return problems.Length == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
