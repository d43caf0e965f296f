using System.Security.Claims;
using System.Security.Cryptography;
using ClinicBlazor.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.Identity;

/// <summary>
/// The sign-in cookie's session store: tickets in the clinic database, so every node sees the same
/// sessions and a session ends when its row goes. A deactivated user's sessions are never read back.
/// </summary>
internal sealed class DatabaseTicketStore(IDbContextFactory<ClinicDbContext> dbFactory, TimeProvider clock) : ITicketStore
{
    public async Task<string> StoreAsync(AuthenticationTicket ticket)
    {
        var key = Base64Url(RandomNumberGenerator.GetBytes(32));
        var userId = ticket.Principal.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("A sign-in ticket without a user id.");
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync();

        // A user's expired sessions go when they sign in again: the table holds live sessions only.
        await db.Set<StaffSession>().Where(s => s.UserId == userId && s.ExpiresUtc < now).ExecuteDeleteAsync();
        db.Add(new StaffSession
        {
            Id = StaffSession.IdFor(key),
            UserId = userId,
            Ticket = TicketSerializer.Default.Serialize(ticket),
            CreatedUtc = now,
            ExpiresUtc = ticket.Properties.ExpiresUtc?.UtcDateTime,
        });
        await db.SaveChangesAsync();
        return key;
    }

    public async Task RenewAsync(string key, AuthenticationTicket ticket)
    {
        var id = StaffSession.IdFor(key);
        var bytes = TicketSerializer.Default.Serialize(ticket);
        var expires = ticket.Properties.ExpiresUtc?.UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync();
        await db.Set<StaffSession>().Where(s => s.Id == id)
            .ExecuteUpdateAsync(set => set.SetProperty(s => s.Ticket, bytes).SetProperty(s => s.ExpiresUtc, expires));
    }

    public async Task<AuthenticationTicket?> RetrieveAsync(string key)
    {
        var id = StaffSession.IdFor(key);
        await using var db = await dbFactory.CreateDbContextAsync();
        var session = await (
                from s in db.Set<StaffSession>()
                join u in db.Users on s.UserId equals u.Id
                where s.Id == id && u.IsActive
                select new { s.Ticket, s.ExpiresUtc })
            .AsNoTracking()
            .SingleOrDefaultAsync();
        if (session is null || session.ExpiresUtc < clock.GetUtcNow().UtcDateTime)
        {
            return null;
        }

        return TicketSerializer.Default.Deserialize(session.Ticket);
    }

    public async Task RemoveAsync(string key)
    {
        var id = StaffSession.IdFor(key);
        await using var db = await dbFactory.CreateDbContextAsync();
        await db.Set<StaffSession>().Where(s => s.Id == id).ExecuteDeleteAsync();
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
