using System.Net;
using ClinicBlazor.Features.Common;
using Microsoft.AspNetCore.Diagnostics;

namespace ClinicBlazor.Features.Hosting;

/// <summary>
/// What a request that failed answers outside Development: a plain page with a sentence and a
/// reference (the exception is logged under the same request id), written here rather than by
/// re-running a Blazor page, which would itself need the database or a form handler to work.
/// </summary>
public static class ErrorPage
{
    public static async Task WriteAsync(HttpContext context)
    {
        var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        var sentence = exception is not null && StorageFailure.IsDiskFull(exception)
            ? StorageFailure.DiskFullSentence
            : "Something went wrong on our side, and nothing you did caused it.";
        context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsync(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Something went wrong</title>"
            + "<link rel=\"stylesheet\" href=\"/css/clinic.css\"></head><body><div class=\"public-shell\"><main class=\"public-card\">"
            + "<h1 class=\"public-title\">Something went wrong</h1>"
            + $"<p class=\"public-lead\">{WebUtility.HtmlEncode(sentence)} Go back and try again in a moment; if it keeps happening, call the clinic.</p>"
            + $"<p>Reference: <code>{WebUtility.HtmlEncode(context.TraceIdentifier)}</code></p>"
            + "<p><a href=\"/\">Start again</a></p>"
            + "</main></div></body></html>");
    }
}
