using System;
using System.Linq;
using Microsoft.AspNetCore.Authorization;

namespace Scep.SampleHost.AdminApi;

/// <summary>The admin API's authorization policies, one per role: a caller passes the policies of its role and of those below it.</summary>
internal static class AdminPolicies
{
    public const string View = "scep-admin-view";

    public const string Operate = "scep-admin-operate";

    public const string Administer = "scep-admin-administer";

    public static void Add(AuthorizationOptions options)
    {
        options.AddPolicy(View, Requiring(AdminRole.Viewer));
        options.AddPolicy(Operate, Requiring(AdminRole.Operator));
        options.AddPolicy(Administer, Requiring(AdminRole.Admin));
    }

    private static AuthorizationPolicy Requiring(AdminRole least) => new AuthorizationPolicyBuilder(AdminApiAuthentication.SchemeName)
        .RequireAuthenticatedUser()
        .RequireAssertion(context => context.User.FindAll(AdminApiAuthentication.RoleClaim)
            .Any(claim => Enum.TryParse<AdminRole>(claim.Value, out var role) && role >= least))
        .Build();
}
