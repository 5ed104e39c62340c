import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';

import { json, mockFetch } from '@/testing/mock-fetch';
import { renderWithProviders } from '@/testing/test-utils';

import { InstanceCreateForm } from '../components/instance-create-form';
import { maskPhone, maskStoredPhone } from '../lib/phone';
import { slugify } from '../lib/technical-name';
import { makeInstance } from './factories';

const servers = [
  { id: 1, name: 'Evolution principal', base_url: 'http://evo.example.com:8080' },
  { id: 2, name: 'Reserva', base_url: 'http://evo2.example.com' },
];

function renderForm(props: Partial<Parameters<typeof InstanceCreateForm>[0]> = {}) {
  const onCreated = vi.fn();
  const result = renderWithProviders(
    <InstanceCreateForm servers={servers} onCreated={onCreated} onCancel={vi.fn()} {...props} />,
  );
  return { ...result, onCreated };
}

const CATALOG = {
  'GET /api/instances/webhook-events': () =>
    json([
      { name: 'QRCODE_UPDATED', payload_name: 'qrcode.updated', required: true },
      { name: 'MESSAGES_UPSERT', payload_name: 'messages.upsert', required: true },
      { name: 'CONTACTS_UPSERT', payload_name: 'contacts.upsert', required: false },
      { name: 'CALL', payload_name: 'call', required: false },
    ]),
};

/** The request that created the instance (the event catalog is fetched too). */
const posted = (requests: Request[]) => {
  const found = requests.find((request) => request.method === 'POST');
  if (!found) throw new Error('no POST');
  return found;
};

describe('slugify', () => {
  it('suggests a technical name from the display name', () => {
    expect(slugify('Loja São João (SP)')).toBe('loja-sao-joao-sp');
    expect(slugify('  Atendimento -- Ação!  ')).toBe('atendimento-acao');
    expect(slugify('__x')).toBe('x');
    expect(slugify('a'.repeat(80))).toHaveLength(64);
    expect(slugify('Ç')).toBe('c');
  });
});

describe('maskPhone', () => {
  it('formats Brazilian numbers as they are typed', () => {
    expect(maskPhone('5')).toBe('+5');
    expect(maskPhone('+55')).toBe('+55');
    expect(maskPhone('+55 (1')).toBe('+55 (1');
    expect(maskPhone('+55 (11')).toBe('+55 (11');
    expect(maskPhone('+55 (11 9')).toBe('+55 (11) 9');
    expect(maskPhone('+55 (11) 9876-54')).toBe('+55 (11) 9876-54');
    expect(maskPhone('551134567890')).toBe('+55 (11) 3456-7890');
    expect(maskPhone('5511987654321')).toBe('+55 (11) 98765-4321');
    // Deleting a separator never gets stuck on it.
    expect(maskPhone('+55 (11) 9876-')).toBe('+55 (11) 9876');
    expect(maskPhone('+55 (11)')).toBe('+55 (11');
  });

  it('assumes Brazil unless the number starts with +', () => {
    expect(maskPhone('1')).toBe('+55 (1');
    expect(maskPhone('(11) 98765-4321')).toBe('+55 (11) 98765-4321');
    expect(maskPhone('+')).toBe('+');
    expect(maskPhone('+1')).toBe('+1');
    expect(maskPhone('+14155550123')).toBe('+14155550123');
    expect(maskPhone('+1 415 555 0123 4567 89')).toBe('+141555501234567');
    expect(maskPhone('5511987654321@s.whatsapp.net')).toBe('+55 (11) 98765-4321');
    expect(maskPhone('abc')).toBe('');
    expect(maskStoredPhone('14155550123')).toBe('+14155550123');
    expect(maskStoredPhone('5511987654321')).toBe('+55 (11) 98765-4321');
  });
});

// Typing through user-event is slow in jsdom on a busy machine.
describe('InstanceCreateForm', { timeout: 30_000 }, () => {
  it('suggests the technical name from the display name until it is edited', async () => {
    const { user } = renderForm();
    const displayName = screen.getByLabelText('Nome');
    const name = screen.getByLabelText('Nome técnico');

    await user.type(displayName, 'Loja São Paulo');
    expect(name).toHaveValue('loja-sao-paulo');

    // Typed by hand: the display name no longer drives it, but the suggestion is offered.
    await user.clear(name);
    await user.type(name, 'sp_01');
    await user.type(displayName, ' 2');
    expect(name).toHaveValue('sp_01');
    await user.click(screen.getByRole('button', { name: 'Usar sugestão: loja-sao-paulo-2' }));
    expect(name).toHaveValue('loja-sao-paulo-2');
    await user.type(displayName, '3');
    expect(name).toHaveValue('loja-sao-paulo-23');
  });

  it('explains what is wrong while typing, in Portuguese', async () => {
    const { user } = renderForm();
    const name = screen.getByLabelText('Nome técnico');

    await user.type(name, 'a');
    expect(await screen.findByText('O nome técnico precisa de pelo menos 3 caracteres.')).toBeVisible();
    expect(name).toHaveAttribute('aria-invalid', 'true');

    await user.type(name, 'b c');
    expect(
      await screen.findByText(
        'Use só letras sem acento, números, hífen (-) ou sublinhado (_), sem espaços.',
      ),
    ).toBeVisible();

    await user.clear(name);
    await user.type(name, '-loja');
    expect(
      await screen.findByText('O nome técnico deve começar com uma letra ou um número.'),
    ).toBeVisible();

    await user.clear(name);
    await user.type(name, 'loja-1');
    await waitFor(() => expect(name).toHaveAttribute('aria-invalid', 'false'));
  });

  it('says what is missing on submit', async () => {
    const { user } = renderForm();
    await user.selectOptions(screen.getByLabelText('Servidor'), '');
    await user.click(screen.getByRole('button', { name: 'Criar instância' }));
    expect(await screen.findByText('Informe o nome da instância.')).toBeVisible();
    expect(screen.getByText('Informe o nome técnico.')).toBeVisible();
    expect(screen.getByText('Escolha o servidor.')).toBeVisible();
  });

  it('masks the phone and sends its digits with the chosen server', async () => {
    const created = makeInstance({ id: 9, phone_number: '5511987654321' });
    const { requests } = mockFetch({
      ...CATALOG,
      'POST /api/instances': () => json(created, { status: 201 }),
    });
    const { user, onCreated } = renderForm();

    await user.type(screen.getByLabelText('Nome'), 'Loja Centro');
    await user.selectOptions(screen.getByLabelText('Servidor'), '2');
    const phone = screen.getByLabelText('Número do WhatsApp (opcional)');
    await user.type(phone, '1198765');
    expect(phone).toHaveValue('+55 (11) 9876-5');
    expect(await screen.findByText(/Número incompleto/)).toBeVisible();
    await user.type(phone, '4321');
    expect(phone).toHaveValue('+55 (11) 98765-4321');
    await waitFor(() => expect(screen.queryByText(/Número incompleto/)).not.toBeInTheDocument());

    await user.click(screen.getByRole('button', { name: 'Criar instância' }));
    await waitFor(() => expect(onCreated).toHaveBeenCalledWith(created));
    expect(await posted(requests).json()).toEqual({
      display_name: 'Loja Centro',
      name: 'loja-centro',
      server_id: 2,
      phone_number: '5511987654321',
      webhook_events: [],
    });
  });

  it('takes the Evolution URL and API key instead of a server, as the original form did', async () => {
    const { requests } = mockFetch({
      ...CATALOG,
      'POST /api/instances': () => json(makeInstance(), { status: 201 }),
    });
    const { user, onCreated } = renderForm();

    await user.click(screen.getByLabelText('URL e chave da API'));
    expect(screen.queryByLabelText('Servidor')).not.toBeInTheDocument();
    await user.type(screen.getByLabelText('Nome'), 'Suporte');

    const url = screen.getByLabelText('URL da Evolution API');
    await user.type(url, 'localhost:8081');
    expect(
      await screen.findByText('Informe uma URL que comece com http:// ou https://.'),
    ).toBeVisible();
    await user.clear(url);
    await user.type(url, 'http://localhost:8081');

    await user.click(screen.getByRole('button', { name: 'Criar instância' }));
    expect(await screen.findByText('Informe a chave da API.')).toBeVisible();
    await user.type(screen.getByLabelText('Chave da API'), 'k3y');
    // The events evodash needs are on and cannot be unticked; an optional one is chosen.
    expect(await screen.findByLabelText(/MESSAGES_UPSERT/)).toBeDisabled();
    expect(screen.getByLabelText(/MESSAGES_UPSERT/)).toBeChecked();
    await user.click(screen.getByLabelText('CALL'));
    await user.click(screen.getByRole('button', { name: 'Criar instância' }));

    await waitFor(() => expect(onCreated).toHaveBeenCalled());
    expect(await posted(requests).json()).toEqual({
      display_name: 'Suporte',
      name: 'suporte',
      evolution_url: 'http://localhost:8081',
      api_key: 'k3y',
      phone_number: null,
      webhook_events: ['CALL'],
    });
  });

  it('starts in URL mode when no server is registered', () => {
    renderForm({ servers: [] });
    expect(screen.getByLabelText('URL e chave da API')).toBeChecked();
    expect(screen.getByLabelText('Servidor cadastrado')).toBeDisabled();
    expect(
      screen.getByText('Nenhum servidor cadastrado ainda: informe a URL e a chave da API.'),
    ).toBeVisible();
  });

  it('shows a taken name next to the field and the API error readably', async () => {
    mockFetch({
      ...CATALOG,
      'POST /api/instances': () =>
        json(
          {
            error: 'instance_name_taken',
            detail: "An instance named 'loja' already exists on this server.",
          },
          { status: 409 },
        ),
    });
    const { user, onCreated } = renderForm({ initialServerId: 1 });
    await user.type(screen.getByLabelText('Nome'), 'Loja');
    await user.click(screen.getByRole('button', { name: 'Criar instância' }));

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Não foi possível salvar a instância');
    expect(alert).toHaveTextContent('Já existe uma instância com este nome técnico neste servidor.');
    expect(screen.getByLabelText('Nome técnico')).toHaveAttribute('aria-invalid', 'true');
    expect(onCreated).not.toHaveBeenCalled();
  });
});
