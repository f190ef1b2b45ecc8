using System;
using System.Linq;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Scep.SampleHost.AdminApi;

namespace Scep.SampleHost.WebConsole;

/// <summary>
/// The console's authentication scheme and its policies, one per role over the admin API's <see cref="AdminRole"/>:
/// a user passes the policies of their role and of those below it.
/// </summary>
internal static class ConsolePolicies
{
    /// <summary>The cookie scheme; the cookie has the same name.</summary>
    public const string Scheme = "scep-console";

    /// <summary>The role claim's type.</summary>
    public const string RoleClaim = "scep-console-role";

    /// <summary>The user's name claim, without the <c>console:</c> prefix the audit log shows.</summary>
    public const string UserClaim = "scep-console-user";

    public const string View = "scep-console-view";

    public const string Operate = "scep-console-operate";

    public const string Administer = "scep-console-administer";

    public static void Add(AuthorizationOptions options)
    {
        options.AddPolicy(View, Requiring(AdminRole.Viewer));
        options.AddPolicy(Operate, Requiring(AdminRole.Operator));
        options.AddPolicy(Administer, Requiring(AdminRole.Admin));
    }

    /// <summary>Whether a console user's role is at least <paramref name="least"/>: the one rule pages and policies share.</summary>
    public static bool Allows(ClaimsPrincipal user, AdminRole least) =>
        user.Identities.Any(i => i.IsAuthenticated && i.AuthenticationType == Scheme)
        && user.FindAll(RoleClaim).Any(claim => Enum.TryParse<AdminRole>(claim.Value, out var role) && Enum.IsDefined(role) && role >= least);

    /// <summary>The signed-in user's principal: name <c>console:NAME</c> (the audit log's actor) and role.</summary>
    public static ClaimsPrincipal Principal(ConsoleUser user) => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.Name, "console:" + user.Name), new Claim(UserClaim, user.Name), new Claim(RoleClaim, user.Role.ToString())], Scheme));

    private static AuthorizationPolicy Requiring(AdminRole least) => new AuthorizationPolicyBuilder(Scheme)
        .RequireAuthenticatedUser()
        .RequireAssertion(context => Allows(context.User, least))
        .Build();
}
