using System;
using System.Management.Automation;
using ToApis.Binding;
using ToApis.Models;
using ToApis.Session;

namespace ToApis.Commands;

/// <summary>Shows the remaining quota of the API key, or of the whole account with -Scope User.</summary>
[Cmdlet(VerbsCommon.Get, "ToApisBalance")]
[OutputType(typeof(ToApisBalance))]
public sealed class GetToApisBalanceCommand : ToApisCmdletBase, ISessionParameter
{
    /// <summary>Token: this key's quota (GET /v1/balance). User: the account's (GET /v1/user/balance).</summary>
    [Parameter(Position = 0)]
    [ValidateSet("Token", "User")]
    public string Scope { get; set; } = "Token";

    [Parameter]
    [ValidateNotNull]
    [SessionTransformation]
    public ToApisSession? Session { get; set; }

    protected override void EndProcessing() => Attempt(() => WriteObject(Await(Client.GetBalanceAsync(Scope == "User", CancelToken))), Scope);
}
